import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Keyword, PrismaClient } from '../../../db/client';
import { recountClusters } from '../../../activities/cluster-metrics';
import { int4, rowId } from '../../schemas';
import { BadRequestError, NotFoundError } from '../../errors';
import { checkStatusChange, statusesOf } from '../../services/status-transitions';
import { keywordView, toKeywordView } from '../../views/keywords';
import { registerRowRoutes } from '../row-routes';

const keywordChanges = z.object({
  intent: z.string().trim().min(1).max(50).optional(),
  seed_keyword: z.string().trim().min(1).max(255).nullable().optional(),
  volume_override: int4.min(0).nullable().optional(),
  difficulty_override: int4.min(0).max(100).nullable().optional(),
  status: z.enum(statusesOf('keyword')).optional(),
  cluster_id: rowId.nullable().optional(),
});

type KeywordChanges = z.infer<typeof keywordChanges>;

/**
 * Where a keyword's cluster and status end up: a cluster maps it (`mapped`); leaving its cluster
 * (`cluster_id: null`, or archiving) makes a mapped keyword `pending` again, ready for clustering.
 */
async function placement(prisma: PrismaClient, keyword: Keyword, changes: KeywordChanges, accountId: number) {
  const label = `Keyword ${keyword.id}`;
  if (changes.cluster_id != null) {
    if (changes.status !== undefined && changes.status !== 'mapped') {
      throw new BadRequestError(`A keyword with a cluster is mapped: send cluster_id with status mapped or without a status, not ${changes.status}.`);
    }
    const cluster = await prisma.cluster.findFirst({ where: { id: changes.cluster_id, accountId }, select: { id: true, sectorId: true } });
    if (!cluster) throw new NotFoundError(`Cluster ${changes.cluster_id} not found.`);
    if (cluster.sectorId !== keyword.sectorId) {
      throw new BadRequestError(`Cluster ${cluster.id} is in sector ${cluster.sectorId} and ${label} in sector ${keyword.sectorId}: a keyword joins a cluster of its own sector.`);
    }
    return { clusterId: cluster.id, status: 'mapped' };
  }
  if (changes.status === 'mapped' && keyword.status !== 'mapped') {
    throw new BadRequestError(`${label} becomes mapped by joining a cluster: send its cluster_id.`);
  }
  if (changes.cluster_id === null) {
    // Out of its cluster, a mapped keyword is pending again; a status sent with it moves on from there.
    const from = keyword.status === 'mapped' ? 'pending' : keyword.status;
    checkStatusChange('keyword', label, from, changes.status);
    return { clusterId: null, status: changes.status ?? from };
  }
  checkStatusChange('keyword', label, keyword.status, changes.status);
  // An archived keyword belongs to no cluster.
  return { clusterId: changes.status === 'archived' ? null : keyword.clusterId, status: changes.status ?? keyword.status };
}

/** One keyword: read, edit its own figures, status and cluster, delete. */
export const keywordRowRoutes: FastifyPluginAsyncZod = async (app) => {
  registerRowRoutes(app, {
    path: '/api/v1/planner/keywords/:id/',
    tag: 'planner',
    noun: 'Keyword',
    view: keywordView,
    toView: toKeywordView,
    find: (prisma, accountId, id) => prisma.keyword.findFirst({ where: { id, accountId } }),
    patch: {
      body: keywordChanges,
      description:
        'Edits intent, seed_keyword, volume_override and difficulty_override (null clears an override), status and cluster_id. ' +
        'A cluster_id maps the keyword (status mapped; the cluster must be in its sector); cluster_id null or archiving takes it out of its cluster ' +
        '(a mapped keyword becomes pending). Status changes follow the allow-list in docs/api.md; others are 409. The clusters it leaves and joins are recounted.',
      async apply(prisma, keyword, changes, accountId) {
        const { clusterId, status } = await placement(prisma, keyword, changes, accountId);
        return prisma.$transaction(async (tx) => {
          const updated = await tx.keyword.update({
            where: { id: keyword.id },
            data: {
              intent: changes.intent,
              seedKeyword: changes.seed_keyword,
              volumeOverride: changes.volume_override,
              difficultyOverride: changes.difficulty_override,
              status,
              clusterId,
            },
          });
          await recountClusters(tx, [keyword.clusterId, clusterId]);
          return updated;
        });
      },
    },
    remove: {
      description: "Deletes the keyword; its cluster's keywords_count and volume are recounted.",
      rowsToRemove: async (_prisma, keyword) => ({ keyword: [keyword.id] }),
      async apply(prisma, keyword) {
        await prisma.$transaction(async (tx) => {
          await tx.keyword.delete({ where: { id: keyword.id } });
          await recountClusters(tx, [keyword.clusterId]);
        });
      },
    },
  });
};
