import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rowId } from '../../schemas';
import { NotFoundError } from '../../errors';
import { checkStatusChange, statusesOf } from '../../services/status-transitions';
import { toWriterTaskView, writerTaskView } from '../../views/writer-tasks';
import { registerRowRoutes } from '../row-routes';
import { taskKeywords } from './tasks';

const taskChanges = z.object({
  title: z.string().trim().min(1, 'title must not be empty').max(255).optional(),
  description: z.string().max(50_000).optional(),
  keywords: taskKeywords.optional(),
  cluster_id: rowId.nullable().optional(),
  idea_id: rowId.nullable().optional(),
  content_type: z.string().trim().min(1).max(50).optional(),
  content_structure: z.string().trim().min(1).max(50).optional(),
  prompt_override: z.string().max(50_000).nullable().optional(),
  meta_title: z.string().trim().max(255).nullable().optional(),
  meta_description: z.string().trim().max(1_000).nullable().optional(),
  status: z.enum(statusesOf('writerTask')).optional(),
});

/** One writer task: read, edit the brief, re-queue, delete (with its article and images). */
export const writerTaskRowRoutes: FastifyPluginAsyncZod = async (app) => {
  registerRowRoutes(app, {
    path: '/api/v1/writer/tasks/:id/',
    tag: 'writer',
    noun: 'Writer task',
    view: writerTaskView,
    toView: toWriterTaskView,
    find: (prisma, accountId, id) => prisma.writerTask.findFirst({ where: { id, accountId } }),
    patch: {
      body: taskChanges,
      description:
        'Edits the brief (title, description, keywords, cluster_id, idea_id, content_type, content_structure, prompt_override, meta_title, meta_description) ' +
        'and status: queued ⇄ completed (in_progress belongs to a running generate_content). Unknown or foreign clusters and ideas are 404.',
      async apply(prisma, task, changes, accountId) {
        checkStatusChange('writerTask', `Writer task ${task.id}`, task.status, changes.status);
        const [cluster, idea] = await Promise.all([
          changes.cluster_id != null ? prisma.cluster.findFirst({ where: { id: changes.cluster_id, accountId }, select: { id: true } }) : true,
          changes.idea_id != null ? prisma.contentIdea.findFirst({ where: { id: changes.idea_id, accountId }, select: { id: true } }) : true,
        ]);
        const missing = [!cluster && `Cluster ${changes.cluster_id} not found.`, !idea && `Idea ${changes.idea_id} not found.`].filter(Boolean);
        if (missing.length) throw new NotFoundError(missing.join(' '));
        return prisma.writerTask.update({
          where: { id: task.id },
          data: {
            title: changes.title,
            description: changes.description,
            keywords: changes.keywords,
            clusterId: changes.cluster_id,
            ideaId: changes.idea_id,
            contentType: changes.content_type,
            contentStructure: changes.content_structure,
            promptOverride: changes.prompt_override,
            metaTitle: changes.meta_title === undefined ? undefined : changes.meta_title || null,
            metaDescription: changes.meta_description === undefined ? undefined : changes.meta_description || null,
            status: changes.status,
          },
        });
      },
    },
    remove: {
      description: 'Deletes the writer task together with its content and that content\'s images.',
      async rowsToRemove(prisma, task) {
        const content = await prisma.content.findUnique({ where: { taskId: task.id }, select: { id: true } });
        const images = await prisma.image.findMany({ where: { OR: [{ taskId: task.id }, ...(content ? [{ contentId: content.id }] : [])] }, select: { id: true } });
        return { writerTask: [task.id], content: content ? [content.id] : [], image: images.map((i) => i.id) };
      },
      async apply(prisma, task) {
        // The foreign keys cascade: the task's content, and the content's images, go with it.
        await prisma.writerTask.delete({ where: { id: task.id } });
      },
    },
  });
};
