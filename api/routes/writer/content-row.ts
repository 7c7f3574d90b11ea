import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countWords } from '../../../functions/generate-content/answer';
import { normaliseArticleHtml } from '../../../functions/generate-content/article-html';
import { checkStatusChange, statusesOf } from '../../services/status-transitions';
import { contentView, toContentView } from '../../views/content';
import { registerRowRoutes } from '../row-routes';

const wordList = z.array(z.string().trim().min(1).max(255)).max(200);

const contentChanges = z.object({
  title: z.string().trim().max(255).optional(),
  html_content: z.string().max(2_000_000).optional(),
  meta_title: z.string().trim().max(255).optional(),
  meta_description: z.string().trim().max(1_000).optional(),
  primary_keyword: z.string().trim().max(255).optional(),
  secondary_keywords: wordList.optional(),
  tags: wordList.optional(),
  categories: wordList.optional(),
  status: z.enum(statusesOf('content')).optional(),
});

/** One article: edit (GET is content.ts's), publish, delete with its images. */
export const contentRowRoutes: FastifyPluginAsyncZod = async (app) => {
  registerRowRoutes(app, {
    path: '/api/v1/writer/content/:id/',
    tag: 'writer',
    noun: 'Content',
    view: contentView,
    toView: toContentView,
    get: false,
    find: (prisma, accountId, id) => prisma.content.findFirst({ where: { id, accountId } }),
    patch: {
      body: contentChanges,
      description:
        'Edits title, html_content (cleaned as generated articles are; word_count is counted again), meta_title, meta_description, primary_keyword, ' +
        'secondary_keywords, tags, categories and status (draft, review, published: see docs/api.md). Answers the article with html_content.',
      async apply(prisma, content, changes) {
        checkStatusChange('content', `Content ${content.id}`, content.status, changes.status);
        const html = changes.html_content === undefined ? undefined : normaliseArticleHtml(changes.html_content);
        return prisma.content.update({
          where: { id: content.id },
          data: {
            title: changes.title,
            htmlContent: html,
            wordCount: html === undefined ? undefined : countWords(html),
            metaTitle: changes.meta_title,
            metaDescription: changes.meta_description,
            primaryKeyword: changes.primary_keyword,
            secondaryKeywords: changes.secondary_keywords,
            tags: changes.tags,
            categories: changes.categories,
            status: changes.status,
          },
        });
      },
    },
    remove: {
      description: 'Deletes the article and its images. Its writer task stays (still completed; set it to queued to write it again).',
      async rowsToRemove(prisma, content) {
        const images = await prisma.image.findMany({ where: { contentId: content.id }, select: { id: true } });
        return { content: [content.id], image: images.map((i) => i.id) };
      },
      async apply(prisma, content) {
        await prisma.content.delete({ where: { id: content.id } });
      },
    },
  });
};
