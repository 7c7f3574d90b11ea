import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { int4, rowId } from '../../schemas';
import { NotFoundError } from '../../errors';
import { checkStatusChange, statusesOf } from '../../services/status-transitions';
import { ideaView, toIdeaView } from '../../views/ideas';
import { registerRowRoutes } from '../row-routes';

const ideaChanges = z.object({
  idea_title: z.string().trim().min(1, 'idea_title must not be empty').max(255).optional(),
  description: z.string().max(50_000).optional(),
  content_type: z.string().trim().min(1).max(50).optional(),
  content_structure: z.string().trim().min(1).max(50).optional(),
  target_keywords: z.string().max(5_000).optional(),
  estimated_word_count: int4.min(0).optional(),
  status: z.enum(statusesOf('idea')).optional(),
  cluster_id: rowId.nullable().optional(),
});

/** One content idea: read, edit, schedule, delete (its writer tasks stay). */
export const ideaRowRoutes: FastifyPluginAsyncZod = async (app) => {
  registerRowRoutes(app, {
    path: '/api/v1/planner/ideas/:id/',
    tag: 'planner',
    noun: 'Idea',
    view: ideaView,
    toView: toIdeaView,
    find: (prisma, accountId, id) => prisma.contentIdea.findFirst({ where: { id, accountId } }),
    patch: {
      body: ideaChanges,
      description:
        'Edits idea_title, description, content_type, content_structure, target_keywords, estimated_word_count, cluster_id (the caller\'s, or null) and status (new, scheduled, published: see docs/api.md).',
      async apply(prisma, idea, changes, accountId) {
        checkStatusChange('idea', `Idea ${idea.id}`, idea.status, changes.status);
        if (changes.cluster_id != null && !(await prisma.cluster.findFirst({ where: { id: changes.cluster_id, accountId }, select: { id: true } }))) {
          throw new NotFoundError(`Cluster ${changes.cluster_id} not found.`);
        }
        return prisma.contentIdea.update({
          where: { id: idea.id },
          data: {
            ideaTitle: changes.idea_title,
            description: changes.description,
            contentType: changes.content_type,
            contentStructure: changes.content_structure,
            targetKeywords: changes.target_keywords,
            estimatedWordCount: changes.estimated_word_count,
            status: changes.status,
            clusterId: changes.cluster_id,
          },
        });
      },
    },
    remove: {
      description: 'Deletes the idea. Writer tasks made from it stay, and go on running, with idea_id null.',
      // No AI function takes ideas as its input: a running task never needs the idea itself.
      rowsToRemove: async () => ({}),
      async apply(prisma, idea) {
        await prisma.contentIdea.delete({ where: { id: idea.id } });
      },
    },
  });
};
