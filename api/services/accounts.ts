import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../db/client';

export const DEFAULT_SITE_NAME = 'Default site';
export const DEFAULT_SECTOR_NAME = 'General';

/**
 * Creates an account with a new API key (32 random bytes, shown once, stored as SHA-256) and its
 * default site and sector, used when a request names no sector.
 */
export async function createAccount(prisma: PrismaClient, name: string): Promise<{ accountId: number; apiKey: string; sectorId: number }> {
  const apiKey = randomBytes(32).toString('base64url');
  return prisma.$transaction(async (tx) => {
    const account = await tx.account.create({ data: { name, apiKeyHash: hashApiKey(apiKey) } });
    const site = await tx.site.create({ data: { accountId: account.id, name: DEFAULT_SITE_NAME } });
    const sector = await tx.sector.create({ data: { accountId: account.id, siteId: site.id, name: DEFAULT_SECTOR_NAME } });
    return { accountId: account.id, apiKey, sectorId: sector.id };
  });
}

/** API keys are stored as SHA-256 (hex): 32 random bytes need no slow hash, and polling load could not afford one. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}
