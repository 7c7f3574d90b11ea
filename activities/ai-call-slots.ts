import { Prisma, type PrismaClient } from '../db/client';

/**
 * Slots for AI calls, kept in PostgreSQL so every worker process sees the same ones. Each AI call
 * (a task's item) takes a row: `waiting` in its account's line, then `granted` while it runs. At
 * most the account's limit are granted at once; with an overall cap, the accounts that wait take
 * turns (the one granted longest ago goes first), so a flood from one account delays another's call
 * by at most one turn. A granted slot is leased: the call renews it while it runs, and a slot whose
 * lease runs out (its worker died, its run was terminated) is free again.
 *
 * Waiting happens in the workflow (a durable wait for a signal), never in an activity, so a long
 * line holds no worker capacity.
 */
export interface SlotPolicy {
  /** Calls in flight per account unless the account says otherwise (ACCOUNT_MAX_CONCURRENT_AI_CALLS). */
  accountLimit: number;
  /** Calls in flight over all accounts (AI_CALLS_MAX_IN_FLIGHT); undefined: no overall cap. */
  overallLimit?: number;
  /** How long a granted slot lasts before its call first renews it. */
  grantLeaseMs: number;
  /** How long a renewal lasts: longer than the call's retry backoff, so a retrying call keeps its slot. */
  runningLeaseMs: number;
}

export const DEFAULT_SLOT_POLICY: SlotPolicy = { accountLimit: 4, grantLeaseMs: 60_000, runningLeaseMs: 180_000 };

/** An AI call given a slot by someone else's step: its workflow is told (a signal), so it stops waiting. */
export interface GrantedCall {
  taskId: string;
  itemKey: string;
}

export type Admission = { granted: true } | { granted: false; position: number };

/** One lock for every grant decision: decisions are rare and short, and never race each other. */
const SLOTS_LOCK = 7_462;

/**
 * Puts calls in their account's line (once each) and grants what the limits allow. Answers each
 * call's admission and every call granted meanwhile (of any task).
 */
export async function admitCalls(
  prisma: PrismaClient,
  policy: SlotPolicy,
  calls: Array<{ accountId: number; taskId: string; itemKey: string }>,
): Promise<{ admissions: Map<string, Admission>; granted: GrantedCall[] }> {
  return prisma.$transaction(async (tx) => {
    if (calls.length) {
      // As SQL: Prisma plans every `createMany` afresh.
      await tx.$executeRaw`
        INSERT INTO ai_call_slots (account_id, task_id, item_key)
        SELECT * FROM unnest(${calls.map((c) => c.accountId)}::int[], ${calls.map((c) => c.taskId)}::text[], ${calls.map((c) => c.itemKey)}::text[])
        ON CONFLICT (task_id, item_key) DO NOTHING`;
    }
    const granted = await grantFreeSlots(tx, policy);
    const grantedNow = new Set(granted.filter((g) => calls.some((c) => c.taskId === g.taskId)).map((g) => `${g.taskId}/${g.itemKey}`));
    const admissions = new Map<string, Admission>();
    for (const call of calls) {
      admissions.set(call.itemKey, grantedNow.has(`${call.taskId}/${call.itemKey}`) ? { granted: true } : await admissionOf(tx, call));
    }
    return { admissions, granted };
  });
}

/** Frees a task's slots (or one item's), waiting or granted, and grants what that allows. */
export async function releaseCalls(prisma: PrismaClient, policy: SlotPolicy, scope: { taskId: string; itemKey?: string }): Promise<GrantedCall[]> {
  const freed = await prisma.aiCallSlot.deleteMany({ where: { taskId: scope.taskId, ...(scope.itemKey !== undefined ? { itemKey: scope.itemKey } : {}) } });
  // Nothing freed, nothing to grant (a run's end after its items gave theirs back). Slots freed by
  // an expired lease are granted by the next decision anywhere, or a waiting run's next check.
  if (freed.count === 0) return [];
  return prisma.$transaction((tx) => grantFreeSlots(tx, policy));
}

/**
 * The running call keeps its slot. False when it had none any more (its lease ran out while its
 * retry waited): it then takes one again, past the limit for once rather than failing a call that
 * is already running.
 */
export async function renewCall(prisma: PrismaClient, policy: SlotPolicy, call: { accountId: number; taskId: string; itemKey: string }): Promise<boolean> {
  const until = new Date(Date.now() + policy.runningLeaseMs);
  const renewed = await prisma.aiCallSlot.updateMany({ where: { taskId: call.taskId, itemKey: call.itemKey, state: 'granted' }, data: { leaseUntil: until } });
  if (renewed.count > 0) return true;
  await prisma.aiCallSlot.upsert({
    where: { taskId_itemKey: { taskId: call.taskId, itemKey: call.itemKey } },
    create: { ...call, state: 'granted', grantedAt: new Date(), leaseUntil: until },
    update: { state: 'granted', grantedAt: new Date(), leaseUntil: until },
  });
  return false;
}

/** 1 for the call next in its account's line; undefined when the task has no call waiting. */
export async function queuePosition(db: PrismaClient | Prisma.TransactionClient, taskId: string): Promise<number | undefined> {
  const rows = await db.$queryRaw<Array<{ position: number }>>`
    SELECT (SELECT count(*)::int FROM ai_call_slots o
            WHERE o.account_id = w.account_id AND o.state = 'waiting' AND (o.enqueued_at, o.id) < (w.enqueued_at, w.id)) + 1 AS position
    FROM ai_call_slots w WHERE w.task_id = ${taskId} AND w.state = 'waiting'
    ORDER BY w.enqueued_at, w.id LIMIT 1`;
  return rows[0]?.position;
}

async function admissionOf(tx: Prisma.TransactionClient, call: { taskId: string; itemKey: string }): Promise<Admission> {
  const row = await tx.aiCallSlot.findUnique({ where: { taskId_itemKey: { taskId: call.taskId, itemKey: call.itemKey } } });
  if (!row || row.state === 'granted') return { granted: true };
  const ahead = await tx.aiCallSlot.count({
    where: { accountId: row.accountId, state: 'waiting', OR: [{ enqueuedAt: { lt: row.enqueuedAt } }, { enqueuedAt: row.enqueuedAt, id: { lt: row.id } }] },
  });
  return { granted: false, position: ahead + 1 };
}

/**
 * The grant decision: expired leases are dropped, then each account's oldest waiting calls get the
 * room its limit leaves; with an overall cap, accounts take turns one call at a time, the account
 * served longest ago first (turns are kept only with a cap: without one, nobody waits for another).
 */
async function grantFreeSlots(tx: Prisma.TransactionClient, policy: SlotPolicy): Promise<GrantedCall[]> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SLOTS_LOCK}::int)`;
  // Expired leases are dropped and not counted (one statement: its parts share one snapshot).
  const candidatesQuery = Prisma.sql`
    WITH expired AS (DELETE FROM ai_call_slots WHERE state = 'granted' AND lease_until < now() RETURNING id),
         in_flight AS (SELECT account_id, count(*)::int AS n FROM ai_call_slots WHERE state = 'granted' AND lease_until >= now() GROUP BY account_id),
         waiting AS (
           SELECT id, account_id, task_id, item_key, row_number() OVER (PARTITION BY account_id ORDER BY enqueued_at, id)::int AS rn
           FROM ai_call_slots WHERE state = 'waiting'),
         candidates AS (
           SELECT w.id, w.account_id, w.task_id, w.item_key, w.rn, a.ai_call_turn_at
           FROM waiting w JOIN accounts a ON a.id = w.account_id LEFT JOIN in_flight f ON f.account_id = w.account_id
           WHERE w.rn <= COALESCE(a.max_concurrent_ai_calls, ${policy.accountLimit}) - COALESCE(f.n, 0))`;
  const until = new Date(Date.now() + policy.grantLeaseMs);
  if (policy.overallLimit === undefined) {
    // No overall cap: every candidate is granted, in the same statement; turns do not matter.
    const granted = await tx.$queryRaw<Array<{ task_id: string; item_key: string }>>`
      ${candidatesQuery}
      UPDATE ai_call_slots s SET state = 'granted', granted_at = now(), lease_until = ${until}
      FROM candidates c WHERE s.id = c.id
      RETURNING s.task_id, s.item_key`;
    return granted.map((g) => ({ taskId: g.task_id, itemKey: g.item_key }));
  }
  const candidates = await tx.$queryRaw<Array<{ id: number; account_id: number; task_id: string; item_key: string; rn: number }>>`
    ${candidatesQuery}
    SELECT id, account_id, task_id, item_key, rn FROM candidates
    ORDER BY ai_call_turn_at NULLS FIRST, account_id, rn`;
  if (candidates.length === 0) return [];
  const [{ n }] = await tx.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM ai_call_slots WHERE state = 'granted' AND lease_until >= now()`;
  const chosen = takeTurns(candidates, Math.max(0, policy.overallLimit - n));
  if (chosen.length === 0) return [];
  await tx.$executeRaw`
    UPDATE ai_call_slots SET state = 'granted', granted_at = now(), lease_until = ${until}
    WHERE id IN (${Prisma.join(chosen.map((c) => c.id))})`;
  // Accounts served now go to the back of the turn order, in the order they were served.
  const served = [...new Set(chosen.map((c) => c.account_id))];
  for (const [order, accountId] of served.entries()) {
    await tx.$executeRaw`UPDATE accounts SET ai_call_turn_at = clock_timestamp() + ${order} * interval '1 microsecond' WHERE id = ${accountId}`;
  }
  return chosen.map((c) => ({ taskId: c.task_id, itemKey: c.item_key }));
}

/** Round-robin over accounts (already in turn order): one call each per round until `room` is used. */
function takeTurns<T extends { account_id: number; rn: number }>(candidates: T[], room: number): T[] {
  const byAccount = new Map<number, T[]>();
  for (const candidate of candidates) byAccount.set(candidate.account_id, [...(byAccount.get(candidate.account_id) ?? []), candidate]);
  const chosen: T[] = [];
  for (let round = 0; chosen.length < room; round++) {
    let any = false;
    for (const calls of byAccount.values()) {
      if (round < calls.length && chosen.length < room) {
        chosen.push(calls[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return chosen;
}

/**
 * Keeps a running call's slot while it runs: renewed at once (the call claims its grant) and then
 * every `everyMs`, until `stop()`. Calls of the earlier pipeline hold no slot and renew nothing.
 */
export function holdSlot(prisma: PrismaClient, policy: SlotPolicy, call: { accountId: number; taskId: string; itemKey: string; slotted?: boolean }, everyMs = 10_000) {
  if (!call.slotted) return { claimed: Promise.resolve(), stop: () => undefined };
  const renew = () => renewCall(prisma, policy, call).then(() => undefined);
  const claimed = renew();
  const timer = setInterval(() => void renew().catch(() => undefined), everyMs);
  return { claimed, stop: () => clearInterval(timer) };
}
