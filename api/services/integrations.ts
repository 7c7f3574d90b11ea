import type { PrismaClient } from '../../db/client';

export const INTEGRATION_TYPES = ['openai', 'runware', 'image_generation'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

/** Config keys that hold secrets: never returned, never logged. */
const SECRET_KEYS = new Set(['apiKey', 'api_key', 'secret', 'token']);
const MASK_PREFIX = '••••';

export function isMasked(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(MASK_PREFIX);
}

/** `••••a1b2`: enough to recognise which key is stored, never enough to use it. */
export function maskSecret(secret: string): string {
  return `${MASK_PREFIX}${secret.length > 8 ? secret.slice(-4) : ''}`;
}

export function maskConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, SECRET_KEYS.has(key) && typeof value === 'string' && value ? maskSecret(value) : value]),
  );
}

/**
 * A PUT merges into the stored config; a secret that is omitted or sent back masked
 * keeps the stored one, so a frontend can save the form it was shown.
 */
export async function saveIntegration(
  prisma: PrismaClient,
  accountId: number,
  integrationType: IntegrationType,
  update: { config?: Record<string, unknown>; is_active?: boolean },
) {
  const where = { accountId_integrationType: { accountId, integrationType } };
  const stored = await prisma.integrationSettings.findUnique({ where });
  const merged: Record<string, unknown> = { ...((stored?.config as Record<string, unknown>) ?? {}) };
  for (const [key, value] of Object.entries(update.config ?? {})) {
    if (SECRET_KEYS.has(key) && (value === undefined || isMasked(value))) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const isActive = update.is_active ?? stored?.isActive ?? true;
  return prisma.integrationSettings.upsert({
    where,
    create: { accountId, integrationType, config: merged as object, isActive },
    update: { config: merged as object, isActive },
  });
}
