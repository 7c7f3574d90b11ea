import type { PrismaClient } from '../db/client';
import type { CompletionRef } from '../core/run';
import type { PromptType } from '../core/functions';
import { invalidInputError } from './failures';

export interface PreparedRequestRow {
  taskId: string;
  itemKey: string;
  accountId: number;
  functionName: string;
  promptType: PromptType;
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
