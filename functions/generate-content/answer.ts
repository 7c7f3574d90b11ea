import { z } from 'zod';
import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';
import { extractJson } from '../../activities/answer-parsing/json-extract';
import { describeShape } from '../../pipeline/answer-example';
import { normaliseArticleHtml } from './article-html';
import { ARTICLE_ANSWER_EXAMPLE } from './prompt';

/**
 * An article answer read back: the article JSON the prompt asks for, or plain text / markdown /
 * HTML, normalised to the article HTML that is saved.
 */

export const ARTICLE_EXPECTED = `an article: JSON ${describeShape(ARTICLE_ANSWER_EXAMPLE)} or the article as plain text`;

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

export const articleAnswerSchema = z.looseObject({
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
