import type { z } from 'zod';
import { inlineJson } from '../../pipeline/answer-example';
import type { clusterListSchema } from './answer';

/** The answer's format as the prompt shows it; the parser's error message names the same shape. */
export const CLUSTERING_ANSWER_EXAMPLE: z.input<typeof clusterListSchema> = {
  clusters: [{ name: 'Cluster name', description: "What the cluster covers and the searcher's intent", keywords: ['keyword 1', 'keyword 2'] }],
};

export const CLUSTERING_PROMPT = `You are an SEO strategist. Group the keywords below into semantic clusters: keywords that one
page or one topic hub could target together. Use every keyword exactly once, with its exact text.

Keywords:
[IGNY8_KEYWORDS]

Answer with JSON only, in this format:
${inlineJson(CLUSTERING_ANSWER_EXAMPLE)}`;

/**
 * "- best running shoes (Volume: 1200, Difficulty: 35, Intent: commercial)": one `[IGNY8_KEYWORDS]`
 * line. The user's overrides, when set, stand for the keyword's own figures (seed 04 §2.4).
 */
export function keywordLine(k: {
  keyword: string;
  volume: number;
  difficulty: number;
  intent: string;
  volumeOverride?: number | null;
  difficultyOverride?: number | null;
}): string {
  return `- ${k.keyword} (Volume: ${k.volumeOverride ?? k.volume}, Difficulty: ${k.difficultyOverride ?? k.difficulty}, Intent: ${k.intent})`;
}
