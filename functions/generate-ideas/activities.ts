import type { PrismaClient } from '../../db/client';
import { BATCH_ITEM_KEY, type CompletionRef, type ParsedAnswer, type PreparedRun, type RunInput, type SavedOutput, type ValidatedInput } from '../../pipeline/run-io';
import { matchIdeaClusters, parseIdeas as parseIdeasAnswer, type IdeaAnswer } from './answer';
import { clusterKeywordsLine, clusterLine, type ClusterBrief } from './prompt';
import type { ActivityDeps } from '../../activities/deps';
import { loadTextModelSettings } from '../../activities/settings/text-model';
import { ensureJsonInstruction, fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { promptOf } from '../../pipeline/definition';
import { generateIdeas } from './definition';
import { markRunStarted } from '../../activities/run-record';
import { invalidInputError, modelOutputError } from '../../activities/failures';
import { parseStoredAnswer, requireAll, saveOnce, storePreparedRequest } from '../../activities/ai-requests';

/**
 * The clusters of a run as the account owns them, in id order: the order of the prompt's lines and
 * of position matching. Every id must still exist (the API checked them; they may have gone since).
 */
async function loadClusters(prisma: PrismaClient, input: RunInput) {
  const clusters = await prisma.cluster.findMany({
    where: { id: { in: input.ids }, accountId: input.accountId },
    orderBy: { id: 'asc' },
  });
  return requireAll(input.ids, clusters, 'Clusters');
}

/**
 * Fills the cluster placeholders. A custom prompt without either placeholder gets the cluster
 * lines appended: without them the model would invent ideas for clusters it never saw.
 */
function ideasPrompt(template: string, clusters: ClusterBrief[]): string {
  const values = { CLUSTERS: clusters.map(clusterLine).join('\n'), CLUSTER_KEYWORDS: clusters.map(clusterKeywordsLine).join('\n') };
  const hasPlaceholder = template.includes('[IGNY8_CLUSTERS]') || template.includes('[IGNY8_CLUSTER_KEYWORDS]');
  const filled = fillPlaceholders(template, values);
  return hasPlaceholder ? filled : `${filled}\n\nClusters:\n${values.CLUSTERS}\n\nKeywords per cluster:\n${values.CLUSTER_KEYWORDS}`;
}

/** generate_ideas' activities: validate, build the prompt, parse, save. */
export function createGenerateIdeasActivities(deps: ActivityDeps) {
  const { prisma } = deps;
  async function validateClusters(input: RunInput): Promise<ValidatedInput> {
    await markRunStarted(prisma, input.taskId);
    const clusters = await loadClusters(prisma, input);
    await loadTextModelSettings(prisma, input.accountId);
    return { names: clusters.slice(0, 3).map((c) => c.name), count: clusters.length };
  }

  async function prepareIdeasPrompt(input: RunInput): Promise<PreparedRun> {
    const clusters = await loadClusters(prisma, input);
    const keywords = await prisma.keyword.findMany({
      where: { clusterId: { in: clusters.map((c) => c.id) }, accountId: input.accountId },
      select: { clusterId: true, keyword: true },
      orderBy: { id: 'asc' },
    });
    const briefs: ClusterBrief[] = clusters.map((c) => ({
      id: c.id,
      name: c.name,
      description: c.description,
      keywords: keywords.filter((k) => k.clusterId === c.id).map((k) => k.keyword),
    }));
    const { template } = await resolvePrompt(prisma, input.accountId, promptOf(generateIdeas), input.promptOverride);
    const prompt = ensureJsonInstruction(ideasPrompt(template, briefs));
    await storePreparedRequest(prisma, { taskId: input.taskId, itemKey: BATCH_ITEM_KEY, accountId: input.accountId, functionName: input.functionName, promptType: generateIdeas.promptType, prompt });
    return {
      count: clusters.length,
      requests: [{ itemKey: BATCH_ITEM_KEY, label: `${clusters.length} cluster(s)`, promptChars: prompt.length }],
    };
  }

  async function parseIdeas(ref: CompletionRef): Promise<ParsedAnswer> {
    const ideas = await parseStoredAnswer(prisma, ref, (text) => {
      const found = parseIdeasAnswer(text);
      if (found.length === 0) throw modelOutputError('The AI answer holds no ideas: expected at least one idea in {"ideas": [...]}.');
      return found;
    });
    return { count: ideas.length };
  }

  /**
   * Creates a `new` ContentIdeas row per idea, in the account, site and sector of its matched
   * cluster — in one transaction that also records the outcome on the AI request, so a retried save
   * returns that outcome. Each row is keyed by (task, position) too: no idea is ever created twice.
   */
  async function saveIdeas(input: RunInput): Promise<SavedOutput> {
    return saveOnce(deps, { taskId: input.taskId, itemKey: BATCH_ITEM_KEY }, async (tx, request) => {
      const ideas = request.parsed as unknown as IdeaAnswer[];
      // A cluster deleted since PREP loses its ideas to the clusters that remain, not the whole save.
      const clusters = await tx.cluster.findMany({ where: { id: { in: input.ids }, accountId: input.accountId }, orderBy: { id: 'asc' } });
      if (clusters.length === 0) throw invalidInputError('None of the clusters of this run exist any more.');
      const byId = new Map(clusters.map((c) => [c.id, c]));
      const matched = matchIdeaClusters(ideas, clusters);

      const { count: created } = await tx.contentIdea.createMany({
        data: ideas.map((idea, index) => {
          const cluster = byId.get(matched[index])!;
          return {
            accountId: cluster.accountId,
            siteId: cluster.siteId,
            sectorId: cluster.sectorId,
            clusterId: cluster.id,
            ideaTitle: idea.title,
            description: idea.description,
            contentType: idea.content_type,
            contentStructure: idea.content_structure,
            targetKeywords: idea.target_keywords,
            estimatedWordCount: idea.estimated_word_count,
            status: 'new',
            aiTaskId: input.taskId,
            aiItemIndex: index,
          };
        }),
        skipDuplicates: true,
      });
      return { count: created, counters: { ideas_created: created } };
    });
  }

  return { validateClusters, prepareIdeasPrompt, parseIdeas, saveIdeas };
}
