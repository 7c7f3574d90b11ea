import { z } from 'zod';
import { ModelOutputError, parseAnswer } from '../../activities/answer-parsing/parse-answer';
import { fillPlaceholders } from '../../activities/default-prompts';

/**
 * The pure parts of the two image functions: reading the prompt extraction answer, laying out the
 * image rows it becomes, formatting the prompt an image model receives, and reading the stored
 * answer of an image provider.
 */

/** In-article images come in these variants, each enabled in the image_generation settings. */
export type ImageVariant = 'desktop' | 'mobile';
export type ImageRowType = 'featured' | ImageVariant;

export interface ImagePrompts {
  featured_prompt: string;
  in_article_prompts: string[];
}

// A prompt as a string, or as {"prompt": "…"} (models wrap list items in objects now and then).
const promptEntry = z.union([z.string(), z.object({ prompt: z.string() }).transform((entry) => entry.prompt)]);

const imagePromptsSchema = z.preprocess(
  acceptAliases,
  z.object({
    featured_prompt: z.string().trim().min(1, 'featured_prompt must not be empty'),
    in_article_prompts: z
      .array(promptEntry)
      .default([])
      .transform((prompts) => prompts.map((p) => p.trim()).filter((p) => p.length > 0)),
  }),
);

export const IMAGE_PROMPTS_EXPECTED = '{"featured_prompt": "…", "in_article_prompts": ["…", …]}';

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

/** The prompt an image model receives: the `image_prompt_template` with its placeholders filled. */
export function formatImagePrompt(template: string, values: { imageType: string; postTitle: string; imagePrompt: string }): string {
  return fillPlaceholders(template, {
    image_type: values.imageType,
    post_title: values.postTitle,
    image_prompt: values.imagePrompt,
  }).trim();
}

/** "featured image of “Title”", "mobile image 2 of “Title”": progress labels and INIT names. */
export function imageLabel(image: { imageType: string; position: number }, title: string): string {
  const which = image.imageType === 'featured' ? 'featured image' : `${image.imageType} image ${image.position}`;
  const short = title.length > 60 ? `${title.slice(0, 57)}…` : title;
  return short ? `${which} of “${short}”` : which;
}

/** What AI_CALL stores for an image request (ai_requests.response_text). */
export const storedImageAnswerSchema = z.object({
  provider: z.string(),
  model: z.string(),
  image_url: z
    .string()
    .refine((url) => /^https?:\/\/\S+$/i.test(url) || url.startsWith('data:image/'), 'expected an http(s) or data:image URL')
    .optional(),
  cost: z.number().nonnegative(),
  revised_prompt: z.string().optional(),
});
export type StoredImageAnswer = z.infer<typeof storedImageAnswerSchema>;
export type GeneratedImage = StoredImageAnswer & { image_url: string };

/** Reads the stored provider answer; an answer without an image URL is the provider's failure to draw one. */
export function parseStoredImageAnswer(text: string): GeneratedImage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelOutputError('The stored image answer is not JSON: expected {"provider", "model", "image_url", "cost"}.');
  }
  const parsed = storedImageAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelOutputError(`The image answer has the wrong shape at ${issue.path.join('.') || 'the top'} (${issue.message}).`);
  }
  if (!parsed.data.image_url) {
    throw new ModelOutputError(`The image provider (${parsed.data.provider}, ${parsed.data.model}) answered without an image URL.`);
  }
  return { ...parsed.data, image_url: parsed.data.image_url };
}
