import type { z } from 'zod';
import type { clusterAnswerSchema } from '../../../functions/auto-cluster/answer';
import type { ListedKeyword } from './prompt-reading';
import { significantWords, stem, titleCase, unique } from './text';

/** One cluster of the answer, typed by the schema auto_cluster parses it with. */
export type ClusterAnswer = z.input<typeof clusterAnswerSchema> & { description: string; keywords: string[] };

interface KeywordTopics {
  listed: ListedKeyword;
  stems: string[];
}

/**
 * Groups keywords the way a reader would: repeatedly take the topic word shared by the most
 * remaining keywords. A word in nearly every keyword (the seed topic, "coffee" in a coffee list)
 * would make one cluster of everything, so it only names clusters. Keywords sharing nothing go to one
 * last cluster, so every keyword lands in exactly one cluster.
 */
export function clusterKeywords(keywords: readonly ListedKeyword[]): ClusterAnswer[] {
  const all: KeywordTopics[] = keywords.map((listed) => ({
    listed,
    stems: unique(significantWords(listed.keyword).map(stem)),
  }));
  const seedTopics = findSeedTopics(all);

  const clusters: ClusterAnswer[] = [];
  let remaining = all;
  for (;;) {
    const topic = mostSharedTopic(remaining, seedTopics);
    if (!topic) break;
    const members = remaining.filter((k) => k.stems.includes(topic));
    const name = uniqueName(topicName(topic, members), clusters);
    clusters.push(describeCluster(name, name.toLowerCase(), members));
    remaining = remaining.filter((k) => !members.includes(k));
  }
  if (remaining.length > 0) {
    const name = uniqueName(leftoverName(remaining, seedTopics, clusters.length), clusters);
    const seed = seedTopics.join(' ');
    const subject = remaining.length === 1 ? name.toLowerCase() : seed ? `other ${seed} questions` : 'related questions';
    clusters.push(describeCluster(name, subject, remaining));
  }
  return clusters;
}

function findSeedTopics(all: readonly KeywordTopics[]): string[] {
  if (all.length < 4) return [];
  const counts = new Map<string, number>();
  for (const keyword of all) for (const s of keyword.stems) bump(counts, s);
  return [...counts].filter(([, count]) => count >= all.length * 0.75).map(([s]) => s);
}

function mostSharedTopic(keywords: readonly KeywordTopics[], seedTopics: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const keyword of keywords) {
    for (const s of keyword.stems) if (!seedTopics.includes(s)) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 1;
  for (const [s, count] of counts) {
    if (count > bestCount) {
      best = s;
      bestCount = count;
    }
  }
  return best;
}

/** The topic word with the neighbour it most often appears with ("coffee grinder" rather than "grinder"). */
function topicName(topic: string, members: readonly KeywordTopics[]): string {
  const phrases = new Map<string, number>();
  const forms = new Map<string, number>();
  for (const member of members) {
    // Neighbours in the keyword as written, so a phrase never skips over a word ("beans for espresso").
    const words = member.listed.keyword.toLowerCase().split(/[^\p{L}\p{N}'-]+/u).filter(Boolean);
    const at = words.findIndex((w) => stem(w) === topic);
    if (at < 0) continue;
    bump(forms, words[at]);
    const isTopical = (word: string | undefined) => word !== undefined && significantWords(word).length > 0;
    if (isTopical(words[at - 1])) bump(phrases, `${words[at - 1]} ${words[at]}`);
    if (isTopical(words[at + 1])) bump(phrases, `${words[at]} ${words[at + 1]}`);
  }
  const [phrase, phraseCount] = mostCommon(phrases);
  if (phrase && phraseCount >= Math.max(2, Math.ceil(members.length / 2))) return titleCase(phrase);
  return titleCase(mostCommon(forms)[0] ?? topic);
}

function leftoverName(members: readonly KeywordTopics[], seedTopics: readonly string[], clusterCount: number): string {
  if (members.length === 1) return titleCase(members[0].listed.keyword);
  const seed = seedTopics.length > 0 ? titleCase(seedTopics.join(' ')) : '';
  if (clusterCount === 0 && seed) return `${seed} Basics`;
  return seed ? `More ${seed} Topics` : 'Related Topics';
}

const INTENT_AUDIENCE: Record<string, string> = {
  informational: 'people researching the topic and looking for clear answers',
  commercial: 'shoppers comparing options before they buy',
  transactional: 'buyers who are ready to purchase',
  navigational: 'people looking for a specific brand or site',
};

function describeCluster(name: string, subject: string, members: readonly KeywordTopics[]): ClusterAnswer {
  const intents = new Map<string, number>();
  for (const member of members) bump(intents, member.listed.intent);
  const audience = INTENT_AUDIENCE[mostCommon(intents)[0] ?? ''] ?? 'readers with closely related questions';
  const volume = members.reduce((sum, member) => sum + member.listed.volume, 0);
  const count = members.length;
  return {
    name,
    description:
      `Searches about ${subject}, mostly from ${audience}. ` +
      `${count} keyword${count === 1 ? '' : 's'} with a combined monthly volume of ${volume}.`,
    keywords: members.map((member) => member.listed.keyword),
  };
}

// The service reuses a cluster by name, so two clusters of one answer must never share one.
function uniqueName(name: string, clusters: readonly ClusterAnswer[]): string {
  let candidate = name;
  for (let n = 2; clusters.some((c) => c.name.toLowerCase() === candidate.toLowerCase()); n++) candidate = `${name} ${n}`;
  return candidate;
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function mostCommon(counts: Map<string, number>): [string | undefined, number] {
  let best: string | undefined;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount) {
      best = key;
      bestCount = count;
    }
  }
  return [best, bestCount];
}
