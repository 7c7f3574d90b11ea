import type { z } from 'zod';
import { inlineJson } from '../../pipeline/answer-example';
import type { imagePromptListSchema } from './answer';

/** The answer's format as the prompt shows it; the parser's error message names the same shape. */
export const IMAGE_PROMPTS_ANSWER_EXAMPLE: z.input<typeof imagePromptListSchema> = { featured_prompt: '…', in_article_prompts: ['…'] };

export const IMAGE_PROMPT_EXTRACTION_PROMPT = `Read the article below and write prompts for its images: one featured image and up to
{max_images} in-article images, each a vivid one-sentence description of a photograph or illustration.

Title: {title}

{content}

Answer with JSON only, in this format:
${inlineJson(IMAGE_PROMPTS_ANSWER_EXAMPLE)}`;
