import type { Prisma, PrismaClient } from '../db/client';
import type { ActivityDeps } from './deps';
import type { CompletionRef, SavedOutput } from '../pipeline/run-io';
import { ModelOutputError } from './answer-parsing/parse-answer';
import { invalidInputError, modelOutputError } from './failures';

export interface PreparedRequestRow {
  taskId: string;
  itemKey: string;
  accountId: number;
  functionName: string;
  promptType: string;
  prompt: string;
  /** Kept with the request until its answer is parsed (an image's negative prompt). */
  pending?: Prisma.InputJsonObject;
}

/**
 * Stores the prompt PREP built. A PREP redone before any answer arrived rewrites it; once an answer
 * is stored the row is left alone, so a replayed PREP cannot detach an answer from its prompt.
 */
export async function storePreparedRequest(prisma: PrismaClient, row: PreparedRequestRow): Promise<void> {
  const { pending, ...fields } = row;
  const where = { taskId_itemKey: { taskId: row.taskId, itemKey: row.itemKey } };
  const existing = await prisma.aIRequest.findUnique({ where, select: { responseText: true } });
  if (existing?.responseText != null) return;
  const kept = pending ? { parsed: pending } : {};
  await prisma.aIRequest.upsert({ where, create: { ...fields, ...kept }, update: { prompt: row.prompt, promptType: row.promptType, ...kept } });
}

/**
 * PARSE for any function: reads the stored request and answer, runs the function's parser, and
 * stores what it found for SAVE. A wrong answer fails the item for good.
 */
export async function parseStoredAnswer(
  prisma: PrismaClient,
  ref: Pick<CompletionRef, 'taskId' | 'itemKey'>,
  parse: (request: { prompt: string; responseText: string; parsed: Prisma.JsonValue | null }) => Promise<Prisma.InputJsonValue>,
): Promise<void> {
  const where = { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } };
  const row = await prisma.aIRequest.findUnique({ where, select: { prompt: true, responseText: true, parsed: true } });
  if (row?.responseText == null) throw invalidInputError(`No AI answer stored for ${ref.taskId}/${ref.itemKey}.`);
  let parsed: Prisma.InputJsonValue;
  try {
    parsed = await parse({ prompt: row.prompt, responseText: row.responseText, parsed: row.parsed });
  } catch (err) {
    if (err instanceof ModelOutputError) throw modelOutputError(err.message);
    throw err;
  }
  await prisma.aIRequest.update({ where, data: { parsed } });
}

type Transaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
type StoredRequest = NonNullable<Awaited<ReturnType<PrismaClient['aIRequest']['findUnique']>>>;

/**
 * SAVE for any function: one transaction that writes the item's rows and records the outcome on
 * its AI request. A save retried after its commit (the worker died before Temporal heard of it)
 * finds the outcome and returns it, writing nothing twice.
 */
export async function saveOnce(
  { prisma, afterSaveCommit }: Pick<ActivityDeps, 'prisma' | 'afterSaveCommit'>,
  ref: Pick<CompletionRef, 'taskId' | 'itemKey'>,
  write: (tx: Transaction, request: StoredRequest & { parsed: NonNullable<StoredRequest['parsed']> }) => Promise<SavedOutput>,
): Promise<SavedOutput> {
  const where = { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } };
  const outcome = await prisma.$transaction(async (tx) => {
    const request = await tx.aIRequest.findUnique({ where });
    if (request?.parsed == null) throw invalidInputError(`No parsed answer to save for ${ref.taskId}/${ref.itemKey}.`);
    if (request.saved) return request.saved as unknown as SavedOutput;
    const saved = await write(tx, request as StoredRequest & { parsed: NonNullable<StoredRequest['parsed']> });
    await tx.aIRequest.update({ where, data: { saved: saved as unknown as object } });
    return saved;
  });
  afterSaveCommit?.();
  return outcome;
}

/** The rows a run names must all still be the account's; the error lists those that are not. */
export function requireAll<T extends { id: number }>(ids: number[], rows: T[], noun: string): T[] {
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw invalidInputError(`${noun} not found for this account: ${missing.join(', ')}.`);
  return rows;
}
