import { z } from 'zod';
import type { Content } from '../../db/client';

const stringList = z.array(z.string());

export const contentView = z.object({
  id: z.number().int(),
  task_id: z.number().int(),
  title: z.string(),
  meta_title: z.string(),
  meta_description: z.string(),
  word_count: z.number().int(),
  primary_keyword: z.string(),
  secondary_keywords: stringList,
  tags: stringList,
  categories: stringList,
  status: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  site_id: z.number().int(),
  sector_id: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  html_content: z.string().optional(),
});

/** Stored JSON lists read as lists of strings, whatever an older row holds. */
function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v) => v != null).map(String) : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function toContentView(c: Omit<Content, 'htmlContent'> & { htmlContent?: string }): z.infer<typeof contentView> {
  return {
    id: c.id,
    task_id: c.taskId,
    title: c.title,
    meta_title: c.metaTitle,
    meta_description: c.metaDescription,
    word_count: c.wordCount,
    primary_keyword: c.primaryKeyword,
    secondary_keywords: asList(c.secondaryKeywords),
    tags: asList(c.tags),
    categories: asList(c.categories),
    status: c.status,
    metadata: asRecord(c.metadata),
    site_id: c.siteId,
    sector_id: c.sectorId,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    ...(c.htmlContent !== undefined ? { html_content: c.htmlContent } : {}),
  };
}
