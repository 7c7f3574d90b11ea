import type { PrismaClient } from '../db/client';
import type { PromptType } from '../pipeline/definition';
import { DEFAULT_PROMPTS } from './default-prompts';

export type PromptSource = 'override' | 'account' | 'default';

/** Prompt resolution: the task's or start body's override → the account's prompt → built-in default. */
export async function resolvePrompt(
  prisma: PrismaClient,
  accountId: number,
  promptType: PromptType,
  override?: string | null,
): Promise<{ template: string; source: PromptSource }> {
  if (override && override.trim()) return { template: override, source: 'override' };
  const stored = await prisma.aIPrompt.findUnique({ where: { accountId_promptType: { accountId, promptType } } });
  if (stored && stored.promptValue.trim()) return { template: stored.promptValue, source: 'account' };
  return { template: DEFAULT_PROMPTS[promptType], source: 'default' };
}

/** A prompt that does not ask for JSON gets the instruction appended. */
export function ensureJsonInstruction(prompt: string): string {
  return /json/i.test(prompt) ? prompt : `${prompt}\n\nRespond with valid JSON only.`;
}
