import type { ActivityDeps } from '../../activities/deps';
import type { PreparedRequest, RunInput, SavedOutput } from '../../pipeline/run-io';
import type { ParsedArticle } from './answer';
import { invalidInputError } from '../../activities/failures';
import { saveOnce } from '../../activities/ai-requests';

/**
 * SAVE for one writer task: creates or updates the task's one Content row (unique `task_id`, so a
 * rerun rewrites the article instead of adding a second) as a draft, and marks the task completed —
 * in one transaction that also records the outcome on the AI request, so a retried save returns
 * that outcome and writes nothing twice.
 */
export function createSaveArticle(deps: ActivityDeps) {
  return async function saveArticle(input: RunInput, request: PreparedRequest): Promise<SavedOutput> {
    return saveOnce(deps, { taskId: input.taskId, itemKey: request.itemKey }, async (tx, row) => {
      const taskId = request.itemId ?? Number(request.itemKey);
      const task = await tx.writerTask.findFirst({ where: { id: taskId, accountId: input.accountId } });
      if (!task) throw invalidInputError(`Writer task ${taskId} no longer exists; its article was not saved.`);

      const article = contentFields(row.parsed as unknown as ParsedArticle, task);
      // metadata came out of JSON (the stored answer), so it is JSON again.
      const fields = { ...article, metadata: article.metadata as object };
      const owner = { accountId: task.accountId, siteId: task.siteId, sectorId: task.sectorId };
      await tx.content.upsert({
        where: { taskId: task.id },
        create: { ...fields, ...owner, taskId: task.id },
        update: { ...fields, ...owner },
      });
      await tx.writerTask.update({ where: { id: task.id }, data: { status: 'completed' } });

      return { count: 1, counters: { tasks_updated: 1, word_count: fields.wordCount } };
    });
  };
}

export interface ArticleTaskDefaults {
  title: string;
  description: string;
  metaTitle: string | null;
  metaDescription: string | null;
}

/** The Content fields for a parsed article, with fallbacks to the writer task's fields. */
export function contentFields(article: ParsedArticle, task: ArticleTaskDefaults) {
  const title = article.title || task.title;
  return {
    title,
    htmlContent: article.html,
    wordCount: article.wordCount,
    metaTitle: article.metaTitle || task.metaTitle || title,
    metaDescription: article.metaDescription || task.metaDescription || task.description,
    primaryKeyword: article.primaryKeyword ?? '',
    secondaryKeywords: article.secondaryKeywords,
    tags: article.tags,
    categories: article.categories,
    metadata: article.metadata,
    status: 'draft' as const,
  };
}
