import type { PrismaClient } from '../../db/client';
import { isSecretKey, keepStoredSecrets, LEAVE_OUT, maskSecrets } from './secret-masking';

export const INTEGRATION_TYPES = ['openai', 'runware', 'image_generation'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

/** The config as answered: every secret masked, at any depth (api/services/secret-masking.ts). */
export function maskConfig(config: Record<string, unknown>): Record<string, unknown> {
  return maskSecrets(config) as Record<string, unknown>;
}

/**
 * A PUT merges into the stored config, key by key; a key sent as null is removed. A secret that
 * is sent back masked, at any depth, keeps the stored one, so a frontend can save the form it
 * was shown.
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
    if (value === null) {
      delete merged[key];
      continue;
    }
    const kept = keepStoredSecrets(value, merged[key], isSecretKey(key));
    if (kept !== LEAVE_OUT) merged[key] = kept;
  }
  const isActive = update.is_active ?? stored?.isActive ?? true;
  return prisma.integrationSettings.upsert({
    where,
    create: { accountId, integrationType, config: merged as object, isActive },
    update: { config: merged as object, isActive },
  });
}
