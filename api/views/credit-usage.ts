import { z } from 'zod';
import type { CreditUsageLog } from '../../db/client';

/** One movement of the credit ledger. */
export const creditMovementView = z.object({
  task_id: z.string().nullable(),
  function_name: z.string(),
  kind: z.enum(['grant', 'reserve', 'charge', 'release']),
  credits: z.number().int(),
  cost_usd: z.number(),
  created_at: z.string(),
});

export function toCreditMovementView(m: CreditUsageLog): z.infer<typeof creditMovementView> {
  return { task_id: m.taskId, function_name: m.operationType, kind: m.kind, credits: m.credits, cost_usd: m.costUsd, created_at: m.createdAt.toISOString() };
}
