import type { z } from 'zod';
import { inlineJson } from '../../pipeline/answer-example';
import type { articleAnswerSchema } from './answer';

/** The answer's format as the prompt shows it; the parser's error message names the same shape. */
export const ARTICLE_ANSWER_EXAMPLE: z.input<typeof articleAnswerSchema> = {
  title: '…',
  content: '<h2>…</h2><p>…</p>',
  meta_title: '…',
  meta_description: '…',
  word_count: 1500,
  primary_keyword: '…',
  secondary_keywords: ['…'],
  tags: ['…'],
  categories: ['…'],
};

/** Appended to a prompt that does not mention JSON when the model runs in JSON mode (OpenAI refuses JSON mode otherwise). */
export const ARTICLE_JSON_INSTRUCTION = `Answer with JSON only, in this format:
${inlineJson(ARTICLE_ANSWER_EXAMPLE)}`;

export const CONTENT_PROMPT = `You are an expert writer. Write a complete, well-structured article in HTML (h2, h3, p, ul/li)
for the brief below.

[IGNY8_IDEA]

Cluster:
[IGNY8_CLUSTER]

Keywords: [IGNY8_KEYWORDS]

${ARTICLE_JSON_INSTRUCTION}`;

/**
 * Where the brief goes into a prompt that names none of its placeholders (an override written as
 * plain instructions): the model still learns what to write about.
 */
export const BRIEF_FOR_BARE_PROMPTS = '\n\n[IGNY8_IDEA]\n\nCluster:\n[IGNY8_CLUSTER]\n\nKeywords: [IGNY8_KEYWORDS]';
