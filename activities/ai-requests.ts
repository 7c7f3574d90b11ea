import type { PrismaClient } from '../db/client';
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
}

/**
 * Stores the prompt PREP built. A PREP redone before any answer arrived rewrites it; once an answer
 * is stored the row is left alone, so a replayed PREP cannot detach an answer from its prompt.
 */
export async function storePreparedRequest(prisma: PrismaClient, row: PreparedRequestRow): Promise<void> {
  const where = { taskId_itemKey: { taskId: row.taskId, itemKey: row.itemKey } };
  const existing = await prisma.aIRequest.findUnique({ where, select: { responseText: true } });
  if (existing?.responseText != null) return;
  await prisma.aIRequest.upsert({ where, create: row, update: { prompt: row.prompt, promptType: row.promptType } });
}

/** The provider's answer stored by AI_CALL. */
export async function storedAnswer(prisma: PrismaClient, ref: Pick<CompletionRef, 'taskId' | 'itemKey'>): Promise<string> {
  const row = await prisma.aIRequest.findUnique({
    where: { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } },
    select: { responseText: true },
  });
  if (row?.responseText == null) throw invalidInputError(`No AI answer stored for ${ref.taskId}/${ref.itemKey}.`);
  return row.responseText;
}

export async function storeParsed(prisma: PrismaClient, ref: Pick<CompletionRef, 'taskId' | 'itemKey'>, parsed: unknown): Promise<void> {
  await prisma.aIRequest.update({
    where: { taskId_itemKey: { taskId: ref.taskId, itemKey: ref.itemKey } },
    data: { parsed: parsed as object },
  });
}

/**
 * PARSE for any function: reads the stored answer, runs the function's pure parser, and stores
 * what it found for SAVE. A wrong answer fails the item for good (asking the same prompt again is
 * what a reset does, deliberately).
 */
export async function parseStoredAnswer<T>(
  prisma: PrismaClient,
  ref: Pick<CompletionRef, 'taskId' | 'itemKey'>,
  parse: (text: string) => T,
  stored: (parsed: T) => unknown = (parsed) => parsed,
): Promise<T> {
  const text = await storedAnswer(prisma, ref);
  let parsed: T;
  try {
    parsed = parse(text);
  } catch (err) {
    if (err instanceof ModelOutputError) throw modelOutputError(err.message);
    throw err;
  }
  await storeParsed(prisma, ref, stored(parsed));
  return parsed;
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
