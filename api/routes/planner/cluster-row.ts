import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Prisma } from '../../../db/client';
import { ConflictError } from '../../errors';
import { checkStatusChange, statusesOf } from '../../services/status-transitions';
import { clusterView, toClusterView } from '../../views/clusters';
import { registerRowRoutes } from '../row-routes';

const clusterChanges = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(255).optional(),
  description: z.string().max(50_000).optional(),
  status: z.enum(statusesOf('cluster')).optional(),
});

/** One cluster: read, rename, describe, archive, delete (its keywords become unmapped). */
export const clusterRowRoutes: FastifyPluginAsyncZod = async (app) => {
  registerRowRoutes(app, {
    path: '/api/v1/planner/clusters/:id/',
    tag: 'planner',
    noun: 'Cluster',
    view: clusterView,
    toView: toClusterView,
    find: (prisma, accountId, id) => prisma.cluster.findFirst({ where: { id, accountId } }),
    patch: {
      body: clusterChanges,
      description: 'Edits name (unique in its sector: a name in use is 409), description and status (active ⇄ archived).',
      async apply(prisma, cluster, changes) {
        checkStatusChange('cluster', `Cluster ${cluster.id}`, cluster.status, changes.status);
        try {
          return await prisma.cluster.update({ where: { id: cluster.id }, data: changes });
        } catch (err) {
          // The unique key (account, sector, name) decides, so two renames at once cannot both take a name.
          if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
            throw new ConflictError(`A cluster named "${changes.name}" already exists in sector ${cluster.sectorId}.`);
          }
          throw err;
        }
      },
    },
    remove: {
      description:
        'Deletes the cluster. Its keywords become unmapped (cluster_id null; mapped ones pending again); its ideas and writer tasks stay, with cluster_id null.',
      rowsToRemove: async (_prisma, cluster) => ({ cluster: [cluster.id] }),
      async apply(prisma, cluster) {
        await prisma.$transaction([
          prisma.keyword.updateMany({ where: { clusterId: cluster.id, status: 'mapped' }, data: { status: 'pending' } }),
          // The foreign keys set cluster_id to NULL in keywords, ideas and writer tasks.
          prisma.cluster.delete({ where: { id: cluster.id } }),
        ]);
      },
    },
  });
};
