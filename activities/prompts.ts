import type { PrismaClient } from '../db/client';

export type PromptSource = 'override' | 'account' | 'default';

/**
 * Prompt resolution: the task's or start body's override → the account's prompt → the built-in
 * default, which the function's definition holds (`prompts`).
 */
export async function resolvePrompt(
  prisma: PrismaClient,
  accountId: number,
  prompt: { type: string; builtIn: string },
  override?: string | null,
): Promise<{ template: string; source: PromptSource }> {
  if (override && override.trim()) return { template: override, source: 'override' };
  const stored = await prisma.aIPrompt.findUnique({ where: { accountId_promptType: { accountId, promptType: prompt.type } } });
  if (stored && stored.promptValue.trim()) return { template: stored.promptValue, source: 'account' };
  return { template: prompt.builtIn, source: 'default' };
}

/** A prompt that does not ask for JSON gets the instruction appended. */
export function ensureJsonInstruction(prompt: string): string {
  return /json/i.test(prompt) ? prompt : `${prompt}\n\nRespond with valid JSON only.`;
}

/**
 * Replaces `[IGNY8_NAME]` and `{name}` placeholders in one pass, so text filled in (keywords, an
 * article) is never scanned for placeholders itself; unknown placeholders are left as they are.
 */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\[IGNY8_([A-Z_]+)\]|\{([a-z_]+)\}/g, (whole, upper?: string, lower?: string) => {
    const value = values[(upper ?? lower)!];
    return value ?? whole;
  });
}
