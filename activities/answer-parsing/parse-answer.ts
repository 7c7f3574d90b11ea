import { z } from 'zod';
import { extractJson } from './json-extract';

/** The model's answer did not have the shape the function expects; `expected` says what it should be. */
export class ModelOutputError extends Error {
  readonly name = 'ModelOutputError';
}

/** Extracts JSON from `text` and validates it, with an error that names what was expected. */
export function parseAnswer<T>(text: string, schema: z.ZodType<T>, expected: string): T {
  const json = extractJson(text);
  if (json === undefined) {
    throw new ModelOutputError(`The AI answer is not JSON: expected ${expected}. It began: ${preview(text)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ModelOutputError(`The AI answer has the wrong shape${where} (${issue.message}): expected ${expected}.`);
  }
  return parsed.data;
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 80)}…` : oneLine);
}
