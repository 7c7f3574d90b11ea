import { createHash } from 'node:crypto';

/** Hex digest prefix: ids, file names and wording choices all derive from it, so answers repeat exactly. */
export function shortHash(text: string, length = 24): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A stable number for `pick`, so the same prompt always gets the same wording. */
export function seedOf(text: string): number {
  return parseInt(shortHash(text, 8), 16);
}

export function pick<T>(items: readonly T[], seed: number, offset = 0): T {
  return items[(seed + offset) % items.length];
}

// Words that say nothing about a keyword's topic; grouping on them would put unrelated keywords together.
const STOPWORDS = new Set(
  (
    'a an the and or but of for to in on at by with from into about as is are was be been being it its ' +
    'this that these those what which who whom how why when where vs versus your you my our their his her ' +
    'best top good great cheap cheapest free online near me new buy get make do does can should will ' +
    'guide tips ideas list review reviews 2023 2024 2025 2026'
  ).split(' '),
);

/** Lower-cased words that carry the topic of a phrase, in order. */
export function significantWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? [];
  return words.filter((word) => word.length >= 3 && !STOPWORDS.has(word));
}

/** Plural and singular forms group together ("shoe" and "shoes"). */
export function stem(word: string): string {
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

const SMALL_WORDS = new Set(['a', 'an', 'the', 'and', 'or', 'of', 'for', 'to', 'in', 'on', 'at', 'by', 'with', 'vs']);

export function titleCase(text: string): string {
  return text
    .trim()
    .split(/\s+/)
    .map((word, index) => {
      const lower = word.toLowerCase();
      if (index > 0 && SMALL_WORDS.has(lower)) return lower;
      return lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join(' ');
}

export function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Words of the visible text: tags count as spaces, as the service's own word count does. */
export function countWords(html: string): number {
  return stripTags(html).split(/\s+/).filter(Boolean).length;
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
