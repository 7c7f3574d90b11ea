import type { ParsedArticle } from './answer';

/** The Content row an article becomes: the parsed answer, with the writer task's fields where the answer has none. */
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
