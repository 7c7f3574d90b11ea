import { stripTags } from './text';

/**
 * Reads the data the service writes into its prompts, in its line formats (docs/functions.md), so the
 * answers talk about the keywords, clusters and articles the test actually sent.
 */

export interface ListedKeyword {
  keyword: string;
  volume: number;
  difficulty: number;
  intent: string;
}

export interface ListedCluster {
  id: string;
  name: string;
  description: string;
  keywords: string[];
}

// "- {keyword} (Volume: {volume}, Difficulty: {difficulty}, Intent: {intent})"
const KEYWORD_LINE = /^[ \t]*[-*•][ \t]*(.+?)[ \t]*\(Volume:[ \t]*([^,]*),[ \t]*Difficulty:[ \t]*([^,]*),[ \t]*Intent:[ \t]*([^)]*)\)[ \t]*$/gim;

/** The keywords listed for clustering, each once (case-insensitively, as the service matches them). */
export function readListedKeywords(prompt: string): ListedKeyword[] {
  const seen = new Set<string>();
  const keywords: ListedKeyword[] = [];
  for (const [, keyword, volume, difficulty, intent] of prompt.matchAll(KEYWORD_LINE)) {
    const key = keyword.trim().toLowerCase();
    if (!key || seen.has(key)) continue;
    seen.add(key);
    keywords.push({
      keyword: keyword.trim(),
      volume: Number.parseFloat(volume) || 0,
      difficulty: Number.parseFloat(difficulty) || 0,
      intent: intent.trim().toLowerCase(),
    });
  }
  return keywords;
}

// "Cluster ID: {id} | Name: {name} | Description: {description}" and "… | Keywords: {k1}, {k2}"
const CLUSTER_LINE = /^[ \t]*Cluster ID:[ \t]*([^|\n]+?)[ \t]*\|[ \t]*Name:[ \t]*([^|\n]*?)[ \t]*\|[ \t]*(Description|Keywords):[ \t]*(.*)$/gim;

/** The clusters listed for idea generation, joining their description and keyword lines by id. */
export function readListedClusters(prompt: string): ListedCluster[] {
  const byId = new Map<string, ListedCluster>();
  for (const [, id, name, field, value] of prompt.matchAll(CLUSTER_LINE)) {
    const cluster = byId.get(id) ?? { id, name, description: '', keywords: [] };
    byId.set(id, cluster);
    if (!cluster.name) cluster.name = name;
    if (field.toLowerCase() === 'description') cluster.description = value.trim();
    else cluster.keywords.push(...splitList(value));
  }
  return [...byId.values()];
}

/** A `Title: …` line (the article or idea title the service puts in its prompt). */
export function readTitle(prompt: string): string | undefined {
  const match = /^[ \t]*(?:\*\*)?(?:idea[ _])?title(?:\*\*)?[ \t]*:[ \t]*(.+)$/im.exec(prompt);
  const title = match?.[1].replace(/^["'*\s]+|["'*\s]+$/g, '');
  return title || undefined;
}

/** A `Keywords: a, b` line (target keywords of a writer task). */
export function readKeywordList(prompt: string): string[] {
  const match = /^[ \t]*(?:target[ _]|covered[ _]|primary[ _])?keywords?[ \t]*:[ \t]*(.+)$/im.exec(prompt);
  return match ? splitList(match[1]) : [];
}

/** A `Cluster: …` or `Cluster name: …` line, used as the article's category. */
export function readClusterName(prompt: string): string | undefined {
  const match = /^[ \t]*cluster(?:[ _]name)?[ \t]*:[ \t]*(.+)$/im.exec(prompt);
  return match?.[1].trim() || undefined;
}

/** `<h2>` headings of an article in the prompt (image prompt extraction reads the saved HTML). */
export function readHtmlHeadings(prompt: string): string[] {
  return [...prompt.matchAll(/<h2[^>]*>([\s\S]*?)<\/h2>/gi)]
    .map(([, inner]) => stripTags(inner).replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** `## Heading` lines: the idea outline the service writes into the content prompt. */
export function readOutlineHeadings(prompt: string): string[] {
  return [...prompt.matchAll(/^[ \t]*##[ \t]+(?!#)(.+)$/gm)].map(([, heading]) => heading.trim()).filter(Boolean);
}

/** "max {N}" or "up to {N}" anywhere in the prompt (even across a line break); 3 otherwise, the old default. */
export function readImageCount(prompt: string): number {
  const match = /\b(?:max|up\s+to)\s*:?\s*(\d+)/i.exec(prompt);
  return match ? Math.min(Number(match[1]), 50) : 3;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
