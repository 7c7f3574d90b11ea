import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../db/client';

export const DEFAULT_SITE_NAME = 'Default site';
export const DEFAULT_SECTOR_NAME = 'General';

/** Credits a new account starts with unless told otherwise (ACCOUNT_START_CREDITS). */
export const DEFAULT_START_CREDITS = 1000;

export interface NewAccountOptions {
  /** Its start balance, granted as the ledger's first movement. */
  credits?: number;
  /** Its own limit of AI calls in flight; unset, the service's default applies. */
  maxConcurrentAiCalls?: number;
}

/**
 * Creates an account with a new API key (32 random bytes, shown once, stored as SHA-256), its start
 * credits, and its default site and sector, used when a request names no sector.
 */
export async function createAccount(
  prisma: PrismaClient,
  name: string,
  options: NewAccountOptions = {},
): Promise<{ accountId: number; apiKey: string; sectorId: number }> {
  const apiKey = randomBytes(32).toString('base64url');
  const credits = options.credits ?? DEFAULT_START_CREDITS;
  return prisma.$transaction(async (tx) => {
    const account = await tx.account.create({
      data: { name, apiKeyHash: hashApiKey(apiKey), creditBalance: credits, maxConcurrentAiCalls: options.maxConcurrentAiCalls ?? null },
    });
    await tx.creditUsageLog.create({
      data: {
        accountId: account.id,
        taskId: null,
        kind: 'grant',
        movementKey: `grant/account-${account.id}`,
        credits,
        operationType: 'grant',
        creditsUsed: 0,
        costUsd: 0,
        metadata: { note: 'start credits' },
      },
    });
    const site = await tx.site.create({ data: { accountId: account.id, name: DEFAULT_SITE_NAME } });
    const sector = await tx.sector.create({ data: { accountId: account.id, siteId: site.id, name: DEFAULT_SECTOR_NAME } });
    return { accountId: account.id, apiKey, sectorId: sector.id };
  });
}

/** API keys are stored as SHA-256 (hex): 32 random bytes need no slow hash, and polling load could not afford one. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}
