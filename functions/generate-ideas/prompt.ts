import type { z } from 'zod';
import { inlineJson } from '../../pipeline/answer-example';
import type { ideaListSchema } from './answer';

/** The answer's format as the prompt shows it; the parser's error message names the same shape. */
export const IDEAS_ANSWER_EXAMPLE: z.input<typeof ideaListSchema> = {
  ideas: [
    {
      title: '…',
      description: {
        introduction: '…',
        sections: [{ heading: 'H2', subsections: [{ subheading: 'H3', content_type: 'paragraph', details: '…' }] }],
      },
      content_type: 'blog_post',
      content_structure: 'cluster_hub | supporting_page',
      cluster_id: 1,
      cluster_name: '…',
      estimated_word_count: 1500,
      covered_keywords: 'keyword 1, keyword 2',
    },
  ],
};

export const IDEAS_PROMPT = `You are a content strategist. For each keyword cluster below, propose content ideas that would
rank for its keywords.

Clusters:
[IGNY8_CLUSTERS]

Keywords per cluster:
[IGNY8_CLUSTER_KEYWORDS]

Answer with JSON only, in this format:
${inlineJson(IDEAS_ANSWER_EXAMPLE)}`;

/** A cluster as the prompt describes it. */
export interface ClusterBrief {
  id: number;
  name: string;
  description: string;
  keywords: string[];
}

/** "Cluster ID: {id} | Name: {name} | Description: {description}": the `[IGNY8_CLUSTERS]` line. */
export function clusterLine(cluster: ClusterBrief): string {
  return `Cluster ID: ${cluster.id} | Name: ${oneLine(cluster.name)} | Description: ${oneLine(cluster.description)}`;
}

/** "Cluster ID: {id} | Name: {name} | Keywords: {k1}, {k2}": the `[IGNY8_CLUSTER_KEYWORDS]` line. */
export function clusterKeywordsLine(cluster: ClusterBrief): string {
  return `Cluster ID: ${cluster.id} | Name: ${oneLine(cluster.name)} | Keywords: ${cluster.keywords.map(oneLine).join(', ')}`;
}

/** A multi-line description would split its cluster's line, and the model could no longer tell clusters apart. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

