import { Prisma, type Keyword } from '../../db/client';
import type { ActivityDeps } from '../../activities/deps';
import { invalidInputError, modelOutputError } from '../../activities/failures';
import { recountClusters } from '../../activities/cluster-metrics';
import { parseAnswer, prepareRequests, saveItem, validateRows, type FunctionSteps } from '../../activities/function-steps';
import { ensureJsonInstruction, fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { loadTextModelSettings, textCallCost } from '../../activities/settings/text-model';
import { promptOf } from '../../pipeline/definition';
import { BATCH_ITEM_KEY, type CompletionRef, type ParsedAnswer, type PreparedRun, type RunInput, type SavedOutput, type ValidatedInput } from '../../pipeline/run-io';
import { matchClusterKeywords, parseClusters, type ClusterAnswer } from './answer';
import { autoCluster } from './definition';
import { keywordLine } from './prompt';

type KeywordRow = Keyword & { sector: { name: string } };

/** auto_cluster's own steps: its keywords, one prompt listing them, clusters read back and saved. */
export const autoClusterSteps: FunctionSteps<KeywordRow, ClusterAnswer[]> = {
  rowsNoun: 'Keywords',

  load: (prisma, input) =>
    prisma.keyword.findMany({
      where: { id: { in: input.ids }, accountId: input.accountId, ...(input.sectorId ? { sectorId: input.sectorId } : {}) },
      include: { sector: { select: { name: true } } },
      orderBy: { id: 'asc' },
    }),

  nameOf: (keyword) => keyword.keyword,

  settings: (prisma, accountId) => loadTextModelSettings(prisma, accountId),

  maxCallCostUsd: textCallCost,

  async plan({ rows, template }) {
    const sector = rows[0]?.sector.name ?? '';
    const prompt = ensureJsonInstruction(fillPlaceholders(template, { KEYWORDS: rows.map(keywordLine).join('\n'), SECTOR: sector, sector }));
    return [{ itemKey: BATCH_ITEM_KEY, label: `${rows.length} keyword(s)`, prompt }];
  },

  async parse({ request }) {
    const clusters = parseClusters(request.responseText);
    if (clusters.length === 0) throw modelOutputError('The AI answer holds no clusters: expected at least one cluster.');
    return { parsed: clusters, count: clusters.length };
  },

  /**
   * Gets or creates each cluster (name + account + sector), links its keywords with status
   * `mapped`, and recounts `keywords_count` and `volume`, in a few statements whatever the number
   * of clusters: the clusters' insert, their ids, the keyword mapping, the recount.
   */
  async save(tx, { input, parsed: clusters }) {
    const keywords = await tx.keyword.findMany({ where: { id: { in: input.ids }, accountId: input.accountId }, orderBy: { id: 'asc' } });
    if (keywords.length === 0) throw invalidInputError('None of the keywords of this run exist any more.');
    const home = keywords.find((k) => k.sectorId === input.sectorId) ?? keywords[0];
    const place = { accountId: input.accountId, sectorId: home.sectorId };
    const names = [...new Set(clusters.map((c) => c.name.slice(0, 255)))];
    const { count: created } = await tx.cluster.createMany({
      data: names.map((name) => ({ ...place, name, siteId: home.siteId, description: clusters.find((c) => c.name.slice(0, 255) === name)?.description ?? '', status: 'active' })),
      skipDuplicates: true,
    });
    const clusterIds = new Map((await tx.cluster.findMany({ where: { ...place, name: { in: names } }, select: { id: true, name: true } })).map((c) => [c.name, c.id]));
    const matches = matchClusterKeywords(clusters, keywords);
    const mapping = clusters.flatMap((cluster, index) => matches[index].map((keywordId) => [keywordId, clusterIds.get(cluster.name.slice(0, 255))!] as const));
    const updated = mapping.length
      ? await tx.$executeRaw`
          UPDATE keywords k SET cluster_id = m.cluster_id, status = 'mapped', updated_at = now()
          FROM (VALUES ${Prisma.join(mapping.map(([keywordId, clusterId]) => Prisma.sql`(${keywordId}::int, ${clusterId}::int)`))}) AS m(id, cluster_id)
          WHERE k.id = m.id AND k.account_id = ${input.accountId}`
      : 0;
    // The clusters its keywords left are recounted too: a keyword moves from one cluster to another.
    await recountClusters(tx, [...clusterIds.values(), ...keywords.map((k) => k.clusterId)]);
    return { count: created, counters: { clusters_created: created, keywords_updated: updated } };
  },
};

/** The activity names runs of auto_cluster have always scheduled (recorded histories and open runs use them). */
export function createAutoClusterActivities(deps: ActivityDeps) {
  const steps = autoClusterSteps;
  return {
    validateKeywords: (input: RunInput): Promise<ValidatedInput> => validateRows(deps, steps, input),
    prepareClusteringPrompt: async (input: RunInput): Promise<PreparedRun> => {
      const { template } = await resolvePrompt(deps.prisma, input.accountId, promptOf(autoCluster), input.promptOverride);
      return prepareRequests(deps, autoCluster, steps, input, template);
    },
    parseClusters: (ref: CompletionRef): Promise<ParsedAnswer> => parseAnswer(deps, steps, ref),
    saveClusters: (input: RunInput): Promise<SavedOutput> => saveItem(deps, steps, input, { itemKey: BATCH_ITEM_KEY, label: '', promptChars: 0 }),
  };
}
