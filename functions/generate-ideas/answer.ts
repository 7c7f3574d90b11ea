import { z } from 'zod';
import { parseAnswer } from '../../activities/answer-parsing/parse-answer';
import { describeShape } from '../../pipeline/answer-example';
import { IDEAS_ANSWER_EXAMPLE } from './prompt';

/**
 * generate_ideas' answer: the parser, the cluster matching of each idea and the field mapping to a
 * ContentIdeas row. Pure code, imported by the activities and unit tests.
 */

export const DEFAULT_CONTENT_TYPE = 'blog_post';
export const DEFAULT_CONTENT_STRUCTURE = 'supporting_page';
export const DEFAULT_ESTIMATED_WORD_COUNT = 1500;
/** Anything above is not an estimate of one article (and would overflow the integer column). */
const MAX_ESTIMATED_WORD_COUNT = 100_000;

/** One idea of the answer, with the defaults applied: what SAVE writes, apart from the cluster. */
export interface IdeaAnswer {
  title: string;
  /** An outline object arrives as its JSON text. */
  description: string;
  content_type: string;
  content_structure: string;
  cluster_id?: number;
  cluster_name?: string;
  estimated_word_count: number;
  /** From `covered_keywords`, else `target_keywords`; a list is comma-joined. */
  target_keywords: string;
}

// Only the title is required: models vary the other fields' types (a number as "1500", keywords as
// a list), and a usable idea should not fail a whole batch over them.
export const ideaSchema = z
  .object({
    title: z.string({ error: 'an idea needs a title' }).trim().min(1, 'an idea needs a title'),
    description: z.unknown().optional(),
    content_type: z.unknown().optional(),
    content_structure: z.unknown().optional(),
    cluster_id: z.unknown().optional(),
    cluster_name: z.unknown().optional(),
    estimated_word_count: z.unknown().optional(),
    covered_keywords: z.unknown().optional(),
    target_keywords: z.unknown().optional(),
  })
  .transform((idea): IdeaAnswer => {
    const clusterId = numberOf(idea.cluster_id);
    const clusterName = typeof idea.cluster_name === 'string' && idea.cluster_name.trim() ? idea.cluster_name.trim() : undefined;
    const wordCount = numberOf(idea.estimated_word_count);
    return {
      title: idea.title,
      description: ideaDescription(idea.description),
      content_type: kindOf(idea.content_type) ?? DEFAULT_CONTENT_TYPE,
      content_structure: kindOf(idea.content_structure) ?? DEFAULT_CONTENT_STRUCTURE,
      ...(clusterId !== undefined && Number.isInteger(clusterId) ? { cluster_id: clusterId } : {}),
      ...(clusterName !== undefined ? { cluster_name: clusterName } : {}),
      estimated_word_count:
        wordCount !== undefined && wordCount >= 1 && wordCount <= MAX_ESTIMATED_WORD_COUNT ? Math.round(wordCount) : DEFAULT_ESTIMATED_WORD_COUNT,
      target_keywords: keywordList(idea.covered_keywords) || keywordList(idea.target_keywords),
    };
  });

// A bare array is read as the ideas list, so a bad idea is named by the same path (ideas.2.title) either way.
/** The answer as the prompt asks for it. */
export const ideaListSchema = z.object({ ideas: z.array(ideaSchema) });

const ideasAnswerSchema = z.preprocess((json) => (Array.isArray(json) ? { ideas: json } : json), ideaListSchema.transform((a) => a.ideas));

export const IDEAS_EXPECTED = describeShape(IDEAS_ANSWER_EXAMPLE);

/** Parses `{"ideas": [...]}` (or a bare array), also inside markdown fences or after prose. */
export function parseIdeas(text: string): IdeaAnswer[] {
  return parseAnswer(text, ideasAnswerSchema, IDEAS_EXPECTED);
}

/** A string stays as it is; an outline object or list becomes its JSON; anything else its text. */
export function ideaDescription(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** "keyword 1, keyword 2" from a string or a list. */
export function keywordList(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    return value
      .map((k) => (typeof k === 'string' ? k.trim() : k === null || k === undefined ? '' : String(k)))
      .filter(Boolean)
      .join(', ');
  }
  return (typeof value === 'string' ? value : String(value)).trim();
}

/** "Blog Post" and "blog-post" mean `blog_post`; an empty value means the default. */
function kindOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const kind = value.trim().toLowerCase().replace(/[\s-]+/g, '_').slice(0, 50);
  return kind || undefined;
}

/** 3, "3" and "1,500" are numbers; "1500 words", "" and objects are not. */
function numberOf(value: unknown): number | undefined {
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.replace(/[\s,]/g, '')) n = Number(value.replace(/[\s,]/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

export interface ClusterRef {
  id: number;
  name: string;
}

/**
 * The cluster of each idea, by these rules in order: its `cluster_id` when that
 * is one of the run's clusters, else its `cluster_name` (case-insensitive), else its position
 * (the i-th idea goes to the i-th cluster, wrapping round). `clusters` are in prompt order.
 */
export function matchIdeaClusters(ideas: Pick<IdeaAnswer, 'cluster_id' | 'cluster_name'>[], clusters: ClusterRef[]): number[] {
  if (clusters.length === 0) throw new Error('matchIdeaClusters needs at least one cluster');
  const ids = new Set(clusters.map((c) => c.id));
  const byName = new Map<string, number>();
  for (const cluster of clusters) {
    const key = normaliseName(cluster.name);
    if (!byName.has(key)) byName.set(key, cluster.id);
  }
  return ideas.map((idea, index) => {
    if (idea.cluster_id !== undefined && ids.has(idea.cluster_id)) return idea.cluster_id;
    const named = idea.cluster_name !== undefined ? byName.get(normaliseName(idea.cluster_name)) : undefined;
    if (named !== undefined) return named;
    return clusters[index % clusters.length].id;
  });
}

function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}
