import type { PrismaClient } from '../../db/client';
import { BATCH_ITEM_KEY, type CompletionRef, type ParsedAnswer, type PreparedRun, type RunInput, type SavedOutput, type ValidatedInput } from '../../pipeline/run-io';
import { parseClusters as parseClusterAnswer, matchClusterKeywords, type ClusterAnswer } from './answer';
import type { ActivityDeps } from '../../activities/deps';
import { loadTextModelSettings } from '../../activities/settings/text-model';
import { ensureJsonInstruction, fillPlaceholders, resolvePrompt } from '../../activities/prompts';
import { promptOf } from '../../pipeline/definition';
import { autoCluster } from './definition';
import { keywordLine } from './prompt';
import { markRunStarted } from '../../activities/run-record';
import { invalidInputError, modelOutputError } from '../../activities/failures';
import { parseStoredAnswer, requireAll, saveOnce, storePreparedRequest } from '../../activities/ai-requests';

/** The keywords of a run, as the account owns them (and in the sector, when one was given). */
async function loadKeywords(prisma: PrismaClient, input: RunInput) {
  const keywords = await prisma.keyword.findMany({
    where: { id: { in: input.ids }, accountId: input.accountId, ...(input.sectorId ? { sectorId: input.sectorId } : {}) },
    include: { sector: { select: { id: true, name: true, siteId: true } } },
    orderBy: { id: 'asc' },
  });
  return requireAll(input.ids, keywords, 'Keywords');
}

/** auto_cluster's activities: validate, build the prompt, parse, save. */
export function createAutoClusterActivities(deps: ActivityDeps) {
  const { prisma } = deps;
  async function validateKeywords(input: RunInput): Promise<ValidatedInput> {
    await markRunStarted(prisma, input.taskId);
    const keywords = await loadKeywords(prisma, input);
    await loadTextModelSettings(prisma, input.accountId);
    return { names: keywords.slice(0, 3).map((k) => k.keyword), count: keywords.length };
  }

  async function prepareClusteringPrompt(input: RunInput): Promise<PreparedRun> {
    const keywords = await loadKeywords(prisma, input);
    const { template } = await resolvePrompt(prisma, input.accountId, promptOf(autoCluster), input.promptOverride);
    const sector = keywords[0]?.sector.name ?? '';
    const prompt = ensureJsonInstruction(
      fillPlaceholders(template, { KEYWORDS: keywords.map(keywordLine).join('\n'), SECTOR: sector, sector }),
    );
    await storePreparedRequest(prisma, { taskId: input.taskId, itemKey: BATCH_ITEM_KEY, accountId: input.accountId, functionName: input.functionName, promptType: autoCluster.promptType, prompt });
    return {
      count: keywords.length,
      requests: [{ itemKey: BATCH_ITEM_KEY, label: `${keywords.length} keyword(s)`, promptChars: prompt.length }],
    };
  }

  async function parseClusters(ref: CompletionRef): Promise<ParsedAnswer> {
    const clusters = await parseStoredAnswer(prisma, ref, (text) => {
      const found = parseClusterAnswer(text);
      if (found.length === 0) throw modelOutputError('The AI answer holds no clusters: expected at least one cluster.');
      return found;
    });
    return { count: clusters.length };
  }

  /**
   * Gets or creates each cluster (name + account + sector), links its keywords with status
   * `mapped`, and recalculates `keywords_count` and `volume` — in one transaction that also records
   * the outcome on the AI request, so a retried save returns that outcome and writes nothing twice.
   */
  async function saveClusters(input: RunInput): Promise<SavedOutput> {
    return saveOnce(deps, { taskId: input.taskId, itemKey: BATCH_ITEM_KEY }, async (tx, request) => {
      const clusters = request.parsed as unknown as ClusterAnswer[];
      const keywords = await tx.keyword.findMany({
        where: { id: { in: input.ids }, accountId: input.accountId },
        orderBy: { id: 'asc' },
      });
      if (keywords.length === 0) throw invalidInputError('None of the keywords of this run exist any more.');
      const home = keywords.find((k) => k.sectorId === input.sectorId) ?? keywords[0];
      const matches = matchClusterKeywords(clusters, keywords);

      let created = 0;
      let updated = 0;
      const touched = new Set<number>();
      for (const [index, answer] of clusters.entries()) {
        const key = { accountId: input.accountId, sectorId: home.sectorId, name: answer.name.slice(0, 255) };
        const existing = await tx.cluster.findUnique({ where: { accountId_sectorId_name: key } });
        const cluster =
          existing ??
          (await tx.cluster.create({
            data: { ...key, siteId: home.siteId, description: answer.description ?? '', status: 'active' },
          }));
        if (!existing) created++;
        touched.add(cluster.id);
        const ids = matches[index];
        if (ids.length) {
          const result = await tx.keyword.updateMany({
            where: { id: { in: ids }, accountId: input.accountId },
            data: { clusterId: cluster.id, status: 'mapped' },
          });
          updated += result.count;
        }
      }
      for (const clusterId of touched) {
        const totals = await tx.keyword.aggregate({ where: { clusterId }, _count: { _all: true }, _sum: { volume: true } });
        await tx.cluster.update({
          where: { id: clusterId },
          data: { keywordsCount: totals._count._all, volume: totals._sum.volume ?? 0 },
        });
      }
      return { count: created, counters: { clusters_created: created, keywords_updated: updated } };
    });
  }

  return { validateKeywords, prepareClusteringPrompt, parseClusters, saveClusters };
}
