import { z } from 'zod';
import { parseAnswer } from '../../activities/answer-parsing/parse-answer';
import { describeShape } from '../../pipeline/answer-example';
import { CLUSTERING_ANSWER_EXAMPLE } from './prompt';

/** One cluster of the clustering answer. */
export const clusterAnswerSchema = z.object({
  name: z.string().trim().min(1),
  description: z.string().optional().default(''),
  keywords: z.array(z.string()).default([]),
});
export type ClusterAnswer = z.infer<typeof clusterAnswerSchema>;

/** The answer as the prompt asks for it. */
export const clusterListSchema = z.object({ clusters: z.array(clusterAnswerSchema) });

const clusteringAnswerSchema = z.union([clusterListSchema.transform((a) => a.clusters), z.array(clusterAnswerSchema)]);

export const CLUSTERS_EXPECTED = `${describeShape(CLUSTERING_ANSWER_EXAMPLE)} or a bare array of clusters`;

/** Parses `{"clusters": [...]}` or a bare array, also inside markdown fences or after prose. */
export function parseClusters(text: string): ClusterAnswer[] {
  return parseAnswer(text, clusteringAnswerSchema, CLUSTERS_EXPECTED);
}

export interface KeywordRef {
  id: number;
  keyword: string;
}

/**
 * Matches each cluster's keyword strings to the loaded keywords, case-insensitively.
 * A keyword claimed by two clusters goes to the first; unknown strings are ignored.
 */
export function matchClusterKeywords(clusters: ClusterAnswer[], keywords: KeywordRef[]): number[][] {
  const byText = new Map<string, number>();
  for (const k of keywords) {
    const key = normaliseKeyword(k.keyword);
    if (!byText.has(key)) byText.set(key, k.id);
  }
  const claimed = new Set<number>();
  return clusters.map((cluster) => {
    const ids: number[] = [];
    for (const text of cluster.keywords) {
      const id = byText.get(normaliseKeyword(text));
      if (id !== undefined && !claimed.has(id)) {
        claimed.add(id);
        ids.push(id);
      }
    }
    return ids;
  });
}

function normaliseKeyword(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}
