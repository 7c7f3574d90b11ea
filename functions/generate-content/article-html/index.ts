import { layOutArticle } from './layout';
import { renderArticleMarkdown } from './markdown';
import { sanitiseArticle } from './sanitise';

/**
 * Model text → the article HTML we store (a plain-text answer is still an article). JSON answers'
 * `content` comes here too, so every saved article is the same safe subset (allow-list.ts):
 *
 * 1. markdown-it renders the markdown; the model's own HTML passes through it;
 * 2. sanitize-html keeps the article's tags and link attributes, nothing else;
 * 3. the layout step gives loose text its paragraph and leaves empty blocks out.
 *
 * Each step is linear in the answer's length: answers run to megabytes and are parsed on the
 * worker's main thread, which every tenant's runs share.
 */
export function normaliseArticleHtml(input: string): string {
  return layOutArticle(sanitiseArticle(renderArticleMarkdown(input.replace(/^\uFEFF/, ''))));
}
