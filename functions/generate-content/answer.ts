import { Tokenizer } from 'htmlparser2';
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

/** Words of an article: its text without tags, entities read as characters. */
export function countWords(html: string): number {
  return articleText(html)
    .split(/\s+/)
    .filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

/**
 * The text of the HTML, read by the tokenizer of the sanitiser's own parser (htmlparser2), so an
 * entity means here what it meant to the sanitiser; a tag separates words. The tokenizer, not the
 * parser: it keeps no stack of open elements, so it is linear however deep the tags nest.
 */
function articleText(html: string): string {
  const text: string[] = [];
  const ignore = () => undefined;
  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      ontext: (start, end) => text.push(html.slice(start, end)),
      ontextentity: (codePoint) => text.push(String.fromCodePoint(codePoint)),
      onopentagname: () => text.push(' '),
      onclosetag: () => text.push(' '),
      onattribdata: ignore,
      onattribentity: ignore,
      onattribend: ignore,
      onattribname: ignore,
      oncdata: ignore,
      oncomment: ignore,
      ondeclaration: ignore,
      onend: ignore,
      onopentagend: ignore,
      onprocessinginstruction: ignore,
      onselfclosingtag: ignore,
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  return text.join('');
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
