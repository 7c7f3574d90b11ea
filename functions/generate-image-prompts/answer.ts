import { z } from 'zod';
import { parseAnswer } from '../../activities/answer-parsing/parse-answer';
import type { ImageVariant } from '../../activities/settings/image-generation';
import { describeShape } from '../../pipeline/answer-example';
import { IMAGE_PROMPTS_ANSWER_EXAMPLE } from './prompt';

/**
 * generate_image_prompts' answer: the featured and in-article prompts read from the model's
 * answer, the article as the prompt shows it, and the image rows the prompts become.
 */

export type ImageRowType = 'featured' | ImageVariant;

export interface ImagePrompts {
  featured_prompt: string;
  in_article_prompts: string[];
}

// A prompt as a string, or as {"prompt": "…"} (models wrap list items in objects now and then).
const promptEntry = z.union([z.string(), z.object({ prompt: z.string() }).transform((entry) => entry.prompt)]);

/** The answer as the prompt asks for it. */
export const imagePromptListSchema = z.object({
  featured_prompt: z.string().trim().min(1, 'featured_prompt must not be empty'),
  in_article_prompts: z
    .array(promptEntry)
    .default([])
    .transform((prompts) => prompts.map((p) => p.trim()).filter((p) => p.length > 0)),
});

const imagePromptsSchema = z.preprocess(acceptAliases, imagePromptListSchema);

export const IMAGE_PROMPTS_EXPECTED = describeShape(IMAGE_PROMPTS_ANSWER_EXAMPLE);

/**
 * Parses `{"featured_prompt", "in_article_prompts"}` (also `featured_image_prompt` /
 * `in_article_image_prompts`, inside fences or after prose), keeping at most `maxInArticle`
 * in-article prompts: the account's limit holds whatever the model wrote.
 */
export function parseImagePrompts(text: string, maxInArticle: number): ImagePrompts {
  const answer = parseAnswer(text, imagePromptsSchema, IMAGE_PROMPTS_EXPECTED);
  return { featured_prompt: answer.featured_prompt, in_article_prompts: answer.in_article_prompts.slice(0, Math.max(0, maxInArticle)) };
}

function acceptAliases(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const answer = { ...(value as Record<string, unknown>) };
  answer.featured_prompt ??= answer.featured_image_prompt;
  answer.in_article_prompts ??= answer.in_article_image_prompts;
  return answer;
}

/** Keeps prompts bounded: a long article is cut, at the end of a tag, to this many characters. */
export const ARTICLE_PROMPT_MAX_CHARS = 12_000;

/**
 * The article as the extraction prompt shows it: its HTML structure (headings tell the model where
 * images belong) without scripts, styles, comments or attributes, cut to `maxChars`.
 */
export function articleForPrompt(html: string, maxChars = ARTICLE_PROMPT_MAX_CHARS): string {
  const lean = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g, '<$1$2>')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
  if (lean.length <= maxChars) return lean;
  const cut = lean.lastIndexOf('>', maxChars - 1);
  return lean.slice(0, cut > 0 ? cut + 1 : maxChars);
}

export interface ImageRowPlan {
  imageType: ImageRowType;
  /** 0 for the featured image, 1..n for in-article images. */
  position: number;
  prompt: string;
}

/** The image rows of one content: the featured image, then each in-article prompt once per enabled variant. */
export function imageRowsFor(prompts: ImagePrompts, variants: readonly ImageVariant[]): ImageRowPlan[] {
  const rows: ImageRowPlan[] = [{ imageType: 'featured', position: 0, prompt: prompts.featured_prompt }];
  prompts.in_article_prompts.forEach((prompt, index) => {
    for (const imageType of variants) rows.push({ imageType, position: index + 1, prompt });
  });
  return rows;
}
