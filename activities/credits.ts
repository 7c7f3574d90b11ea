import { Prisma, withinTransaction, type CreditMovementKind, type PrismaClient } from '../db/client';

/**
 * The credit ledger. An account holds a balance and a reserved part of it (available = balance −
 * reserved, never below zero). Every change is a `credit_usage_logs` row whose movement key makes
 * it happen once: a retried step, a worker killed after a commit or a reset run writes the same key
 * again and changes nothing. Balance = grants − charges; reserved = reservations − releases.
 */

type Db = PrismaClient | Prisma.TransactionClient;

/** One credit per started cent of provider cost. */
export function creditsForCost(costUsd: number): number {
  return Math.ceil(Math.round(costUsd * 1e6) / 1e4);
}

/** What an AI call reserves: the most it can cost, and at least one credit. */
export function creditsToReserve(maxCostUsd: number): number {
  return Math.max(1, creditsForCost(maxCostUsd));
}

export interface CreditState {
  balance: number;
  reserved: number;
  available: number;
}

export async function creditState(db: Db, accountId: number): Promise<CreditState> {
  const account = await db.account.findUniqueOrThrow({ where: { id: accountId }, select: { creditBalance: true, creditReserved: true } });
  return { balance: account.creditBalance, reserved: account.creditReserved, available: account.creditBalance - account.creditReserved };
}

export function insufficientCredits(available: number, needed?: number): string {
  return needed === undefined
    ? `Insufficient credits: the account has ${available} credit(s) available.`
    : `Insufficient credits: this AI call needs up to ${needed} credit(s) and the account has ${available} available.`;
}

interface Movement {
  accountId: number;
  taskId: string | null;
  itemKey?: string;
  kind: CreditMovementKind;
  movementKey: string;
  credits: number;
  operationType: string;
  costUsd?: number;
  tokens?: number;
  model?: string | null;
  metadata?: Prisma.InputJsonObject;
}

/**
 * Writes a movement once; false when its key was written before (nothing more to do). One
 * statement as SQL: Prisma plans every `createMany` afresh (it keeps no plan for it), and a run
 * writes several movements.
 */
async function record(tx: Prisma.TransactionClient, m: Movement): Promise<boolean> {
  const count = await tx.$executeRaw`
    INSERT INTO credit_usage_logs
      (account_id, task_id, item_key, kind, movement_key, credits, operation_type, credits_used, cost_usd, tokens, model, metadata)
    VALUES (${m.accountId}::int, ${m.taskId}::text, ${m.itemKey ?? ''}::text, ${m.kind}::"CreditMovementKind", ${m.movementKey}::text,
      ${m.credits}::int, ${m.operationType}::text, ${m.kind === 'charge' ? m.credits : 0}::int, ${m.costUsd ?? 0}::float8,
      ${m.tokens ?? 0}::int, ${m.model ?? null}::text, ${JSON.stringify(m.metadata ?? {})}::jsonb)
    ON CONFLICT (movement_key) DO NOTHING`;
  return count === 1;
}

function keyOf(taskId: string, itemKey: string, kind: CreditMovementKind): string {
  return `${taskId}/${itemKey}/${kind}`;
}

/**
 * Adds credits (a negative number takes them away) as a `grant` movement. Refused when it would
 * leave less than nothing available.
 */
export async function grantCredits(prisma: PrismaClient, accountId: number, credits: number, note: string): Promise<CreditState> {
  return prisma.$transaction(async (tx) => {
    const before = await creditState(tx, accountId);
    if (before.available + credits < 0) {
      throw new Error(`Account ${accountId} has ${before.available} credit(s) available; taking ${-credits} would leave less than none.`);
    }
    if (credits !== 0) {
      await record(tx, {
        accountId,
        taskId: null,
        kind: 'grant',
        movementKey: `grant/${crypto.randomUUID()}`,
        credits,
        operationType: 'grant',
        metadata: { note },
      });
      await tx.account.update({ where: { id: accountId }, data: { creditBalance: { increment: credits } } });
    }
    return creditState(tx, accountId);
  });
}

/**
 * Reserves the most an AI call can cost, atomically against the available balance: two calls of
 * one account can never together reserve more than it has. Reserving an item twice reserves once.
 */
export async function reserveCredits(
  prisma: PrismaClient,
  call: { accountId: number; taskId: string; itemKey: string; functionName: string; credits: number; costUsd: number },
): Promise<{ reserved: true } | { reserved: false; available: number }> {
  try {
    return await prisma.$transaction(async (tx) => {
      const fresh = await record(tx, {
        accountId: call.accountId,
        taskId: call.taskId,
        itemKey: call.itemKey,
        kind: 'reserve',
        movementKey: keyOf(call.taskId, call.itemKey, 'reserve'),
        credits: call.credits,
        operationType: call.functionName,
        costUsd: call.costUsd,
      });
      if (!fresh) return { reserved: true as const };
      const taken = await tx.$executeRaw`
        UPDATE accounts SET credit_reserved = credit_reserved + ${call.credits}
        WHERE id = ${call.accountId} AND credit_balance - credit_reserved >= ${call.credits}`;
      if (taken === 0) throw new NotEnough((await creditState(tx, call.accountId)).available);
      return { reserved: true as const };
    });
  } catch (err) {
    if (err instanceof NotEnough) return { reserved: false, available: err.available };
    throw err;
  }
}

class NotEnough extends Error {
  constructor(readonly available: number) {
    super('not enough credits');
  }
}

/**
 * Charges an item's real cost and releases its reservation, inside the item's save transaction:
 * the save, the charge and the release commit together or not at all.
 */
export async function chargeItem(
  tx: Prisma.TransactionClient,
  item: { accountId: number; taskId: string; itemKey: string; functionName: string; costUsd: number; tokens: number; model: string | null },
): Promise<number> {
  const credits = creditsForCost(item.costUsd);
  if (credits > 0 || item.costUsd > 0) {
    const fresh = await record(tx, {
      accountId: item.accountId,
      taskId: item.taskId,
      itemKey: item.itemKey,
      kind: 'charge',
      movementKey: keyOf(item.taskId, item.itemKey, 'charge'),
      credits,
      operationType: item.functionName,
      costUsd: item.costUsd,
      tokens: item.tokens,
      model: item.model,
    });
    if (fresh && credits > 0) await tx.account.update({ where: { id: item.accountId }, data: { creditBalance: { decrement: credits } } });
  }
  await releaseReservations(tx, { taskId: item.taskId, itemKey: item.itemKey });
  return credits;
}

/**
 * A run that produced output costs at least one credit: charged at its end when its items' charges
 * came to none (a run of tiny calls). `charged` is what its items' charges came to, when the caller
 * has summed them already. Answers the run's credits charged in all.
 */
export async function chargeRunMinimum(tx: Prisma.TransactionClient, run: { accountId: number; taskId: string; functionName: string }, charged?: number): Promise<number> {
  const sum = charged ?? (await tx.creditUsageLog.aggregate({ where: { taskId: run.taskId, kind: 'charge' }, _sum: { credits: true } }))._sum.credits ?? 0;
  if (sum > 0) return sum;
  const fresh = await record(tx, {
    accountId: run.accountId,
    taskId: run.taskId,
    kind: 'charge',
    movementKey: keyOf(run.taskId, '', 'charge'),
    credits: 1,
    operationType: run.functionName,
  });
  if (fresh) await tx.account.update({ where: { id: run.accountId }, data: { creditBalance: { decrement: 1 } } });
  return 1;
}

/** Lets go of a task's open reservations (or one item's): a failed, cancelled or finished call. */
export async function releaseReservations(db: Db, scope: { taskId: string; itemKey?: string }): Promise<void> {
  const release = async (tx: Prisma.TransactionClient) => {
    const open = await tx.$queryRaw<Array<{ account_id: number; item_key: string; credits: number; operation_type: string }>>`
      SELECT r.account_id, r.item_key, r.credits, r.operation_type FROM credit_usage_logs r
      WHERE r.task_id = ${scope.taskId} AND r.kind = 'reserve' ${scope.itemKey === undefined ? Prisma.empty : Prisma.sql`AND r.item_key = ${scope.itemKey}`}
        AND NOT EXISTS (SELECT 1 FROM credit_usage_logs x WHERE x.movement_key = r.task_id || '/' || r.item_key || '/release')`;
    for (const reservation of open) {
      const fresh = await record(tx, {
        accountId: reservation.account_id,
        taskId: scope.taskId,
        itemKey: reservation.item_key,
        kind: 'release',
        movementKey: keyOf(scope.taskId, reservation.item_key, 'release'),
        credits: reservation.credits,
        operationType: reservation.operation_type,
      });
      if (fresh) await tx.account.update({ where: { id: reservation.account_id }, data: { creditReserved: { decrement: reservation.credits } } });
    }
  };
  await withinTransaction(db, release);
}

/**
 * A run from before reservations: its whole cost charged once at its end (at least one credit when
 * it produced output), as runs were charged then.
 */
export async function chargeRunOnce(
  tx: Prisma.TransactionClient,
  run: { accountId: number; taskId: string; functionName: string; costUsd: number; tokens: number; model: string | null },
): Promise<void> {
  const credits = Math.max(1, creditsForCost(run.costUsd));
  const fresh = await record(tx, {
    accountId: run.accountId,
    taskId: run.taskId,
    kind: 'charge',
    movementKey: keyOf(run.taskId, '', 'charge'),
    credits,
    operationType: run.functionName,
    costUsd: run.costUsd,
    tokens: run.tokens,
    model: run.model,
  });
  if (fresh) await tx.account.update({ where: { id: run.accountId }, data: { creditBalance: { decrement: credits } } });
}
