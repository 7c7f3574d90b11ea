import { z } from 'zod';
import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';
import { extractJson } from '../../activities/answer-parsing/json-extract';
import { normaliseArticleHtml } from './article-html';

/**
 * generate_content's pure parts: the brief written into the prompt, the answer read
 * back (the article JSON or plain text), and the Content fields saved from it.
 */

export const ARTICLE_EXPECTED =
  'an article: JSON {"content": "<h2>…</h2><p>…</p>", "title", "meta_title", "meta_description", "word_count", "primary_keyword", "secondary_keywords", "tags", "categories"} or the article as plain text';

/** Appended to a prompt that does not mention JSON when the model runs in JSON mode (OpenAI refuses JSON mode otherwise). */
export const ARTICLE_JSON_INSTRUCTION = `Answer with JSON only, in this format:
{"title": "…", "content": "<h2>…</h2><p>…</p>", "meta_title": "…", "meta_description": "…", "word_count": 1500, "primary_keyword": "…", "secondary_keywords": ["…"], "tags": ["…"], "categories": ["…"]}`;

// ---------------------------------------------------------------- the brief

export interface ArticleTask {
  title: string;
  description: string;
  keywords: string;
  contentType: string;
  contentStructure: string;
  idea?: { description: string; contentType: string; contentStructure: string; estimatedWordCount: number; targetKeywords: string } | null;
  cluster?: { name: string; description: string; status: string } | null;
}

/** The placeholder values of the content prompt: `[IGNY8_IDEA]`, `[IGNY8_CLUSTER]`, `[IGNY8_KEYWORDS]` and `{title}`-style ones. */
export function articlePromptValues(task: ArticleTask): Record<string, string> {
  const taskOutline = readOutline(task.description);
  const outline = task.idea?.description.trim() ? formatIdeaOutline(task.idea.description) : (taskOutline ?? '');
  const description = taskOutline === undefined ? task.description.trim() : '';
  const type = task.idea?.contentType || task.contentType;
  const structure = task.idea?.contentStructure || task.contentStructure;
  const idea = [
    `Title: ${task.title}`,
    description && `Description: ${description}`,
    `Article Type: ${type}`,
    `Structure: ${structure}`,
    task.idea && `Estimated Word Count: ${task.idea.estimatedWordCount}`,
    outline && `Outline:\n${outline}`,
  ].filter(Boolean);
  const cluster = task.cluster
    ? [`Cluster Name: ${task.cluster.name}`, task.cluster.description && `Description: ${task.cluster.description}`, `Status: ${task.cluster.status}`]
        .filter(Boolean)
        .join('\n')
    : 'None';
  const keywords = task.keywords.trim() || task.idea?.targetKeywords.trim() || '';
  return {
    IDEA: idea.join('\n'),
    CLUSTER: cluster,
    KEYWORDS: keywords,
    title: task.title,
    description,
    outline,
    keywords,
    cluster_name: task.cluster?.name ?? '',
    content_type: type,
    content_structure: structure,
  };
}

/**
 * An idea's outline as prompt lines: the ideas function's JSON (`introduction`, `sections` of
 * `heading` + `subsections` of `subheading`, `content_type`, `details`) becomes "## H2" / "### H3" /
 * "Content Type:" / "Details:" lines; any other text is used as it is.
 */
export function formatIdeaOutline(description: string): string {
  return readOutline(description) ?? description.trim();
}

function readOutline(description: string): string | undefined {
  const text = description.trim();
  if (!/^[[{]/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const sections = Array.isArray(value) ? value : isRecord(value) ? firstList(value, ['sections', 'outline', 'headings', 'h2_sections']) : undefined;
  if (!sections) return undefined;
  const lines: string[] = [];
  const intro = isRecord(value) ? firstText(value, ['introduction', 'intro', 'overview']) : undefined;
  if (intro) lines.push(`Introduction: ${intro}`);
  for (const section of sections) {
    const heading = typeof section === 'string' ? section.trim() : isRecord(section) ? firstText(section, ['heading', 'title', 'h2', 'name']) : undefined;
    if (heading) lines.push(`## ${heading}`);
    if (!isRecord(section)) continue;
    lines.push(...detailLines(section));
    for (const sub of firstList(section, ['subsections', 'subheadings', 'sections', 'h3', 'items']) ?? []) {
      const subheading = typeof sub === 'string' ? sub.trim() : isRecord(sub) ? firstText(sub, ['subheading', 'heading', 'title', 'h3', 'name']) : undefined;
      if (subheading) lines.push(`### ${subheading}`);
      if (isRecord(sub)) lines.push(...detailLines(sub));
    }
  }
  const conclusion = isRecord(value) ? firstText(value, ['conclusion']) : undefined;
  if (conclusion) lines.push(`Conclusion: ${conclusion}`);
  return lines.length ? lines.join('\n') : undefined;
}

function detailLines(part: Record<string, unknown>): string[] {
  const type = firstText(part, ['content_type', 'type']);
  const details = firstText(part, ['details', 'description', 'content', 'notes']);
  return [type && `Content Type: ${type}`, details && `Details: ${details}`].filter((l): l is string => Boolean(l));
}

function firstText(record: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim().replace(/\s*\n\s*/g, ' ');
    if (typeof value === 'number') return String(value);
    if (isRecord(value)) {
      const joined = Object.values(value).filter((v) => typeof v === 'string' && v.trim()).join(' ');
      if (joined) return joined;
    }
  }
  return undefined;
}

function firstList(record: Record<string, unknown>, keys: string[]): unknown[] | undefined {
  for (const key of keys) if (Array.isArray(record[key])) return record[key] as unknown[];
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A progress label: the title on one line, cut at a word near `max` characters. */
export function shortLabel(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;:.\s]+$/, '')}…`;
}

// ---------------------------------------------------------------- the answer

const optionalText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v == null ? undefined : String(v).trim() || undefined));

/** A list given as an array or as "a, b, c", always read as a list. */
const textList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]).nullable())])
  .nullish()
  .transform((v) => toList(v));

const wordCountField = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => {
    const n = Math.round(Number(String(v ?? '').replace(/[,\s]/g, '')));
    return Number.isFinite(n) && n > 0 ? n : undefined;
  });

const articleAnswerSchema = z.looseObject({
  content: z.string().nullish(),
  html_content: z.string().nullish(),
  html: z.string().nullish(),
  title: optionalText,
  meta_title: optionalText,
  meta_description: optionalText,
  word_count: wordCountField,
  primary_keyword: optionalText,
  secondary_keywords: textList,
  tags: textList,
  categories: textList,
});

const STANDARD_FIELDS = new Set(Object.keys(articleAnswerSchema.shape));
/** Keys that tell an article object apart from a JSON snippet quoted inside a prose article. */
const ARTICLE_KEYS = ['content', 'html_content', 'html', 'title', 'meta_title', 'meta_description'];

/** What PARSE keeps (in `ai_requests.parsed`) and SAVE writes. */
export interface ParsedArticle {
  /** The model answered in the article JSON, or in plain text that was normalised. */
  format: 'json' | 'text';
  html: string;
  wordCount: number;
  title?: string;
  metaTitle?: string;
  metaDescription?: string;
  primaryKeyword?: string;
  secondaryKeywords: string[];
  tags: string[];
  categories: string[];
  /** Fields of the answer beyond the standard ones (kept, not lost). */
  metadata: Record<string, unknown>;
}

/**
 * Reads an article answer: the article JSON (also fenced or after prose), or plain text / markdown /
 * HTML, which is normalised to clean HTML. Throws ModelOutputError for an empty article, JSON
 * without a body, or JSON cut short (a truncated answer must not be saved as an article).
 */
export function parseArticleAnswer(answer: string): ParsedArticle {
  const text = answer.replace(/^\uFEFF/, '').trim();
  if (!text) throw new ModelOutputError(`The AI answer is empty: expected ${ARTICLE_EXPECTED}.`);
  const json = extractJson(text);
  const startsAsJson = /^(?:```(?:json)?\s*)?(?:\{|\[\s*[{\]])/i.test(text);
  if (isRecord(json) && (startsAsJson || ARTICLE_KEYS.some((key) => key in json))) return fromJson(json);
  if (startsAsJson) {
    throw new ModelOutputError(
      json === undefined
        ? `The AI answer starts as JSON but does not parse (cut short by max_tokens?): expected ${ARTICLE_EXPECTED}.`
        : `The AI answer is a JSON list, not an article object: expected ${ARTICLE_EXPECTED}.`,
    );
  }
  return fromPlainText(text);
}

function fromJson(json: Record<string, unknown>): ParsedArticle {
  const parsed = articleAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelOutputError(`The AI answer has the wrong shape at ${issue.path.join('.')} (${issue.message}): expected ${ARTICLE_EXPECTED}.`);
  }
  const a = parsed.data;
  const body = a.content || a.html_content || a.html || '';
  if (!body.trim()) throw new ModelOutputError(`The AI answer holds no article: "content" is missing or empty; expected ${ARTICLE_EXPECTED}.`);
  const html = requireArticle(normaliseArticleHtml(body));
  const metadata = Object.fromEntries(Object.entries(json).filter(([key]) => !STANDARD_FIELDS.has(key)));
  return {
    format: 'json',
    html,
    wordCount: a.word_count ?? countWords(html),
    title: a.title,
    metaTitle: a.meta_title,
    metaDescription: a.meta_description,
    primaryKeyword: a.primary_keyword,
    secondaryKeywords: a.secondary_keywords,
    tags: a.tags,
    categories: a.categories,
    metadata,
  };
}

function fromPlainText(text: string): ParsedArticle {
  const html = requireArticle(normaliseArticleHtml(text));
  return { format: 'text', html, wordCount: countWords(html), secondaryKeywords: [], tags: [], categories: [], metadata: {} };
}

function requireArticle(html: string): string {
  if (countWords(html) === 0) throw new ModelOutputError(`The AI answer holds no article text once cleaned: expected ${ARTICLE_EXPECTED}.`);
  return html;
}

// Punctuation entities are not words; other named entities (&eacute;) are letters.
const NAMED_ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", mdash: '—', ndash: '–', hellip: '…' };

/** Words of an article: its text without tags, entities read as characters. */
export function countWords(html: string): number {
  const text = html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&([a-z]+);/gi, (_, name: string) => NAMED_ENTITIES[name.toLowerCase()] ?? 'x');
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

export function toList(value: string | Array<string | number | null> | null | undefined): string[] {
  const items = typeof value === 'string' ? value.split(',') : (value ?? []).map((v) => (v == null ? '' : String(v)));
  const seen = new Set<string>();
  const list: string[] = [];
  for (const item of items.map((i) => i.trim()).filter(Boolean)) {
    if (seen.has(item.toLowerCase())) continue;
    seen.add(item.toLowerCase());
    list.push(item);
  }
  return list;
}

// ---------------------------------------------------------------- the saved row

export interface ArticleTaskDefaults {
  title: string;
  description: string;
  metaTitle: string | null;
  metaDescription: string | null;
}

/** The Content fields for a parsed article, with fallbacks to the writer task's fields. */
export function contentFields(article: ParsedArticle, task: ArticleTaskDefaults) {
  const title = article.title || task.title;
  return {
    title,
    htmlContent: article.html,
    wordCount: article.wordCount,
    metaTitle: article.metaTitle || task.metaTitle || title,
    metaDescription: article.metaDescription || task.metaDescription || task.description,
    primaryKeyword: article.primaryKeyword ?? '',
    secondaryKeywords: article.secondaryKeywords,
    tags: article.tags,
    categories: article.categories,
    metadata: article.metadata,
    status: 'draft' as const,
  };
}
