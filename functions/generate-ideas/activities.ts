import type { Cluster } from '../../db/client';
import type { ActivityDeps } from '../../activities/deps';
import { invalidInputError, modelOutputError } from '../../activities/failures';
import { parseAnswer, prepareRequests, saveItem, validateRows, type FunctionSteps } from '../../activities/function-steps';
import { ensureJsonInstruction, fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { loadTextModelSettings, textCallCost } from '../../activities/settings/text-model';
import { promptOf } from '../../pipeline/definition';
import { BATCH_ITEM_KEY, type CompletionRef, type ParsedAnswer, type PreparedRun, type RunInput, type SavedOutput, type ValidatedInput } from '../../pipeline/run-io';
import { matchIdeaClusters, parseIdeas, type IdeaAnswer } from './answer';
import { generateIdeas } from './definition';
import { clusterKeywordsLine, clusterLine, type ClusterBrief } from './prompt';

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

/** generate_ideas' own steps: its clusters (in id order: the prompt's and position matching's), one prompt, ideas saved. */
export const generateIdeasSteps: FunctionSteps<Cluster, IdeaAnswer[]> = {
  rowsNoun: 'Clusters',

  load: (prisma, input) => prisma.cluster.findMany({ where: { id: { in: input.ids }, accountId: input.accountId }, orderBy: { id: 'asc' } }),

  nameOf: (cluster) => cluster.name,

  settings: (prisma, accountId) => loadTextModelSettings(prisma, accountId),

  maxCallCostUsd: textCallCost,

  async plan({ prisma, input, rows, template }) {
    const keywords = await prisma.keyword.findMany({
      where: { clusterId: { in: rows.map((c) => c.id) }, accountId: input.accountId },
      select: { clusterId: true, keyword: true },
      orderBy: { id: 'asc' },
    });
    const briefs: ClusterBrief[] = rows.map((c) => ({
      id: c.id,
      name: c.name,
      description: c.description,
      keywords: keywords.filter((k) => k.clusterId === c.id).map((k) => k.keyword),
    }));
    return [{ itemKey: BATCH_ITEM_KEY, label: `${rows.length} cluster(s)`, prompt: ensureJsonInstruction(ideasPrompt(template, briefs)) }];
  },

  async parse({ request }) {
    const ideas = parseIdeas(request.responseText);
    if (ideas.length === 0) throw modelOutputError('The AI answer holds no ideas: expected at least one idea in {"ideas": [...]}.');
    return { parsed: ideas as object[], count: ideas.length };
  },

  /**
   * A `new` ContentIdeas row per idea, in the account, site and sector of its matched cluster; each
   * keyed by (task, position) too, so no idea is ever created twice.
   */
  async save(tx, { input, parsed: ideas }) {
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
  },
};

/** The activity names runs of generate_ideas have always scheduled (recorded histories and open runs use them). */
export function createGenerateIdeasActivities(deps: ActivityDeps) {
  const steps = generateIdeasSteps;
  return {
    validateClusters: (input: RunInput): Promise<ValidatedInput> => validateRows(deps, steps, input),
    prepareIdeasPrompt: async (input: RunInput): Promise<PreparedRun> => {
      const { template } = await resolvePrompt(deps.prisma, input.accountId, promptOf(generateIdeas), input.promptOverride);
      return prepareRequests(deps, generateIdeas, steps, input, template);
    },
    parseIdeas: (ref: CompletionRef): Promise<ParsedAnswer> => parseAnswer(deps, steps, ref),
    saveIdeas: (input: RunInput): Promise<SavedOutput> => saveItem(deps, steps, input, { itemKey: BATCH_ITEM_KEY, label: '', promptChars: 0 }),
  };
}
