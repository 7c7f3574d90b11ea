import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkStatusChange, statusesOf } from '../../services/status-transitions';
import { imageView, toImageView } from '../../views/images';
import { registerRowRoutes } from '../row-routes';

const imageChanges = z.object({
  prompt: z.string().trim().min(1, 'prompt must not be empty').max(10_000).optional(),
  status: z.enum(statusesOf('image')).optional(),
});

/** One image row: read, rewrite its prompt, send it back to pending, delete. */
export const imageRowRoutes: FastifyPluginAsyncZod = async (app) => {
  registerRowRoutes(app, {
    path: '/api/v1/writer/images/:id/',
    tag: 'writer',
    noun: 'Image',
    view: imageView,
    toView: toImageView,
    find: (prisma, accountId, id) => prisma.image.findFirst({ where: { id, accountId } }),
    patch: {
      body: imageChanges,
      description: 'Edits prompt and status: a generated or failed image may go back to pending, to be generated again (generated and failed are set by generate_images).',
      async apply(prisma, image, changes) {
        checkStatusChange('image', `Image ${image.id}`, image.status, changes.status);
        return prisma.image.update({ where: { id: image.id }, data: changes });
      },
    },
    remove: {
      description: 'Deletes the image row (its content stays).',
      rowsToRemove: async (_prisma, image) => ({ image: [image.id] }),
      async apply(prisma, image) {
        await prisma.image.delete({ where: { id: image.id } });
      },
    },
  });
};
