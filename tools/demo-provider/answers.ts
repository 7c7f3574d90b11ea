import { CLUSTERING_ANSWER_EXAMPLE } from '../../functions/auto-cluster/prompt';
import { ARTICLE_ANSWER_EXAMPLE } from '../../functions/generate-content/prompt';
import { IDEAS_ANSWER_EXAMPLE } from '../../functions/generate-ideas/prompt';
import { IMAGE_PROMPTS_ANSWER_EXAMPLE } from '../../functions/generate-image-prompts/prompt';
import { writeArticle, writeArticleText, type ArticleAnswer, type ArticleBrief } from './answers/article';
import { clusterKeywords, type ClusterAnswer } from './answers/clusters';
import { ideasForClusters, type IdeaAnswer } from './answers/ideas';
import { imagePromptsForArticle, type ImagePromptsAnswer } from './answers/image-prompts';
import {
  readClusterName,
  readHtmlHeadings,
  readImageCount,
  readKeywordList,
  readListedClusters,
  readListedKeywords,
  readOutlineHeadings,
  readTitle,
} from './answers/prompt-reading';
import { significantWords, titleCase } from './answers/text';

export type { ArticleAnswer, ClusterAnswer, IdeaAnswer, ImagePromptsAnswer };

export type AnswerKind = 'clusters' | 'ideas' | 'image_prompts' | 'article' | 'echo';

/** The parts of a chat request the answer depends on. */
export interface Conversation {
  /** System (and developer) messages, joined. */
  system: string;
  /** The first user message: the task (later ones correct an answer). */
  user: string;
}

/** A key of each answer's example that its prompt shows and no other prompt asks for. */
const ANSWER_KEYS = {
  clusters: keyOf(CLUSTERING_ANSWER_EXAMPLE, 'clusters'),
  ideas: keyOf(IDEAS_ANSWER_EXAMPLE, 'ideas'),
  image_prompts: keyOf(IMAGE_PROMPTS_ANSWER_EXAMPLE, 'featured_prompt'),
  article: keyOf(ARTICLE_ANSWER_EXAMPLE, 'meta_title'),
};

function keyOf<T extends object>(_example: T, key: keyof T & string): string {
  return `"${key}"`;
}

/**
 * Which of the service's prompts a request is, by the answer keys it asks for. The order matters: an
 * ideas prompt also asks for "title", and an image prompt extraction carries the article it reads,
 * so the more specific keys are checked first.
 */
export function detectAnswerKind(prompt: string): AnswerKind {
  if (prompt.includes(ANSWER_KEYS.clusters)) return 'clusters';
  if (prompt.includes(ANSWER_KEYS.ideas)) return 'ideas';
  if (prompt.includes(ANSWER_KEYS.image_prompts)) return 'image_prompts';
  if (prompt.includes(ANSWER_KEYS.article) || (prompt.includes('"content"') && prompt.includes('"title"'))) return 'article';
  return 'echo';
}

export function buildClustersAnswer(prompt: string): { clusters: ClusterAnswer[] } {
  return { clusters: clusterKeywords(readListedKeywords(prompt)) };
}

export function buildIdeasAnswer(prompt: string): { ideas: IdeaAnswer[] } {
  const clusters = readListedClusters(prompt);
  // A custom prompt without cluster lines still gets ideas, about whatever the prompt names.
  const listed = clusters.length > 0 ? clusters : [{ id: '', name: topicOf(prompt), description: '', keywords: [] }];
  return { ideas: ideasForClusters(listed) };
}

export function buildImagePromptsAnswer(prompt: string): ImagePromptsAnswer {
  const headings = readHtmlHeadings(prompt);
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(prompt)?.[1].replace(/<[^>]*>/g, '').trim();
  const title = readTitle(prompt) ?? (h1 || headings[0] || 'the article');
  return imagePromptsForArticle(title, headings, readImageCount(prompt));
}

export function buildArticleAnswer(prompt: string, options: { minBytes?: number } = {}): ArticleAnswer {
  return writeArticle(articleBrief(prompt), options);
}

/** What a model says when it ignores the JSON instruction: the article as plain paragraphs. */
export function buildProseAnswer(prompt: string): string {
  const brief = articleBrief(prompt);
  const text = writeArticleText(brief);
  return [
    `Here is a short article about ${brief.keywords[0] ?? brief.title.toLowerCase()}.`,
    brief.title,
    text.introduction,
    ...text.sections.flatMap((section) => [section.heading, ...section.paragraphs]),
  ].join('\n\n');
}

export function buildEchoAnswer(user: string): string {
  const firstLine = user.trim().split('\n')[0] ?? '';
  const quoted = firstLine.length > 160 ? `${firstLine.slice(0, 157)}...` : firstLine;
  return `Demo provider answer (${user.length} characters received). You asked: "${quoted}"`;
}

/** The message content for a conversation; JSON answers are pretty-printed as models usually write them. */
export function answerContent(
  conversation: Conversation,
  shaping: { prose?: boolean; oversizeBytes?: number } = {},
): { kind: AnswerKind; content: string } {
  const prompt = `${conversation.system}\n${conversation.user}`;
  const kind = detectAnswerKind(prompt);
  if (shaping.prose) return { kind, content: buildProseAnswer(prompt) };
  if (shaping.oversizeBytes !== undefined) {
    const article = buildArticleAnswer(prompt, { minBytes: shaping.oversizeBytes });
    return { kind, content: kind === 'article' ? JSON.stringify(article, null, 2) : article.content };
  }
  switch (kind) {
    case 'clusters':
      return { kind, content: JSON.stringify(buildClustersAnswer(prompt), null, 2) };
    case 'ideas':
      return { kind, content: JSON.stringify(buildIdeasAnswer(prompt), null, 2) };
    case 'image_prompts':
      return { kind, content: JSON.stringify(buildImagePromptsAnswer(prompt), null, 2) };
    case 'article':
      return { kind, content: JSON.stringify(buildArticleAnswer(prompt), null, 2) };
    case 'echo':
      return { kind, content: buildEchoAnswer(conversation.user) };
  }
}

function articleBrief(prompt: string): ArticleBrief {
  const keywords = readKeywordList(prompt);
  return {
    title: readTitle(prompt) ?? (keywords[0] ? titleCase(keywords[0]) : titleCase(topicOf(prompt))),
    keywords,
    headings: readOutlineHeadings(prompt),
    category: readClusterName(prompt),
  };
}

function topicOf(prompt: string): string {
  const words = significantWords(prompt.replace(/"[^"]*"\s*:/g, ' ')).slice(0, 3);
  return words.length > 0 ? titleCase(words.join(' ')) : 'General Topics';
}
