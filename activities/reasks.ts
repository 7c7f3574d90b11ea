import type { PrismaClient } from '../db/client';

/**
 * Corrective re-asks. When a text answer is not what the prompt asked for, the run asks the model
 * once more in the same conversation: its own answer, what was wrong with it and the shape expected
 * (the parser's message names it). Each re-ask is an AI request of its own, stored beside the item's
 * first one under `<item key>~reask<n>`, so it is called, reserved, charged and saved as any call.
 */

const SEPARATOR = '~reask';

export function reaskKey(itemKey: string, number: number): string {
  return `${baseKeyOf(itemKey)}${SEPARATOR}${number}`;
}

/** The item a request belongs to, and which re-ask it is (0: the first call). */
export function reaskOf(itemKey: string): { base: string; number: number } {
  const at = itemKey.lastIndexOf(SEPARATOR);
  if (at < 0) return { base: itemKey, number: 0 };
  const number = Number(itemKey.slice(at + SEPARATOR.length));
  return Number.isInteger(number) && number > 0 ? { base: itemKey.slice(0, at), number } : { base: itemKey, number: 0 };
}

function baseKeyOf(itemKey: string): string {
  return reaskOf(itemKey).base;
}

/** What the model is told after an answer that could not be used. */
export function correctionPrompt(problem: string): string {
  return [
    'Your answer above could not be used.',
    `The problem: ${problem}`,
    'Answer again, in full, with exactly the JSON the first message asks for: no text before or after it, no code fences.',
  ].join('\n');
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * The conversation a request continues: the item's first prompt and answer, each earlier re-ask and
 * its answer, then this request's own prompt. A first call is its prompt alone.
 */
export async function conversationOf(prisma: PrismaClient, taskId: string, itemKey: string, prompt: string): Promise<ChatMessage[]> {
  const { base, number } = reaskOf(itemKey);
  if (number === 0) return [{ role: 'user', content: prompt }];
  const keys = [base, ...Array.from({ length: number - 1 }, (_, i) => reaskKey(base, i + 1))];
  const rows = await prisma.aIRequest.findMany({ where: { taskId, itemKey: { in: keys } }, select: { itemKey: true, prompt: true, responseText: true } });
  const byKey = new Map(rows.map((row) => [row.itemKey, row]));
  const messages: ChatMessage[] = [];
  for (const key of keys) {
    const row = byKey.get(key);
    if (!row || row.responseText == null) throw new Error(`The conversation of ${taskId}/${itemKey} misses the answer of ${key}.`);
    messages.push({ role: 'user', content: row.prompt }, { role: 'assistant', content: row.responseText });
  }
  messages.push({ role: 'user', content: prompt });
  return messages;
}
