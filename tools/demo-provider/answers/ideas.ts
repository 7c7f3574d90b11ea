import type { z } from 'zod';
import type { ideaSchema } from '../../../functions/generate-ideas/answer';
import type { ListedCluster } from './prompt-reading';
import { pick, seedOf, titleCase } from './text';

/** The outline the service stores as an idea's description and turns into `## / ###` lines. */
export interface IdeaOutline {
  introduction: string;
  sections: Array<{
    heading: string;
    subsections: Array<{ subheading: string; content_type: 'paragraph' | 'list' | 'table'; details: string }>;
  }>;
}

/** One idea of the answer, typed by the schema generate_ideas parses it with (and what the demo always writes). */
export type IdeaAnswer = z.input<typeof ideaSchema> & {
  title: string;
  description: IdeaOutline;
  content_type: 'blog_post';
  content_structure: 'cluster_hub' | 'supporting_page';
  cluster_id?: number;
  cluster_name?: string;
  estimated_word_count: number;
  covered_keywords: string;
};

/** Two ideas per cluster: a hub article for the whole cluster and a supporting page on its main keyword. */
export function ideasForClusters(clusters: readonly ListedCluster[]): IdeaAnswer[] {
  return clusters.flatMap((cluster) => [hubIdea(cluster), supportingIdea(cluster)]);
}

function hubIdea(cluster: ListedCluster): IdeaAnswer {
  const topic = titleCase(cluster.name);
  const keywordSections = cluster.keywords.slice(0, 2).map((keyword) => ({
    heading: `${titleCase(keyword)}: What You Need to Know`,
    subsections: [
      subsection(`How ${titleCase(keyword)} Works`, 'paragraph', `Explain ${keyword} in plain words, with one concrete example.`),
      subsection(`Mistakes to Avoid`, 'list', `List the three most common mistakes readers make with ${keyword}.`),
    ],
  }));
  return idea(cluster, {
    title: pick([`The Complete Guide to ${topic}`, `${topic}: Everything You Need to Know`], seedOf(cluster.name)),
    description: {
      introduction: `A single starting point for ${cluster.name.toLowerCase()}: what it is, why it matters and where to go next.`,
      sections: [
        {
          heading: `What Is ${topic}?`,
          subsections: [
            subsection('A Short Definition', 'paragraph', `Define ${cluster.name.toLowerCase()} for a newcomer.`),
            subsection('Who It Is For', 'paragraph', 'Describe the readers who benefit most and why.'),
          ],
        },
        ...keywordSections,
        {
          heading: `Getting Started with ${topic}`,
          subsections: [
            subsection('First Steps', 'list', 'Give a numbered list of the first steps to take.'),
            subsection('Comparing Your Options', 'table', 'Compare the main options by cost, effort and result.'),
          ],
        },
      ],
    },
    content_structure: 'cluster_hub',
    estimated_word_count: 1500,
  });
}

function supportingIdea(cluster: ListedCluster): IdeaAnswer {
  const keyword = cluster.keywords[0] ?? cluster.name;
  const focus = titleCase(keyword);
  return idea(cluster, {
    title: pick([`How to Choose the Right ${focus}`, `${focus}: 7 Practical Tips`], seedOf(keyword)),
    description: {
      introduction: `A focused, practical answer for readers searching "${keyword}".`,
      sections: [
        {
          heading: `Why ${focus} Matters`,
          subsections: [
            subsection('The Problem It Solves', 'paragraph', `Show the everyday problem behind "${keyword}".`),
            subsection('What Good Looks Like', 'paragraph', 'Describe the result a reader should aim for.'),
          ],
        },
        {
          heading: `Practical Tips for ${focus}`,
          subsections: [
            subsection('Before You Start', 'list', 'List what to check or prepare first.'),
            subsection('Step by Step', 'list', 'Walk through the process in short, numbered steps.'),
          ],
        },
      ],
    },
    content_structure: 'supporting_page',
    estimated_word_count: 1200,
  });
}

// Fields in the order of the documented answer format, so the JSON reads like its example.
function idea(
  cluster: ListedCluster,
  plan: Pick<IdeaAnswer, 'title' | 'description' | 'content_structure' | 'estimated_word_count'>,
): IdeaAnswer {
  const id = Number(cluster.id);
  return {
    title: plan.title,
    description: plan.description,
    content_type: 'blog_post',
    content_structure: plan.content_structure,
    ...(cluster.id !== '' && Number.isFinite(id) ? { cluster_id: id } : {}),
    ...(cluster.name ? { cluster_name: cluster.name } : {}),
    estimated_word_count: plan.estimated_word_count,
    covered_keywords: (cluster.keywords.length > 0 ? cluster.keywords : [cluster.name]).join(', '),
  };
}

function subsection(subheading: string, content_type: 'paragraph' | 'list' | 'table', details: string) {
  return { subheading, content_type, details };
}
