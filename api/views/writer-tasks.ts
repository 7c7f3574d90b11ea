import { z } from 'zod';
import type { WriterTask } from '../../db/client';

export const writerTaskView = z.object({
  id: z.number().int(),
  title: z.string(),
  description: z.string(),
  keywords: z.string(),
  cluster_id: z.number().int().nullable(),
  idea_id: z.number().int().nullable(),
  content_type: z.string(),
  content_structure: z.string(),
  status: z.string(),
  prompt_override: z.string().nullable(),
  meta_title: z.string().nullable(),
  meta_description: z.string().nullable(),
  site_id: z.number().int(),
  sector_id: z.number().int(),
  created_at: z.string(),
});

export function toWriterTaskView(t: WriterTask): z.infer<typeof writerTaskView> {
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    keywords: t.keywords,
    cluster_id: t.clusterId,
    idea_id: t.ideaId,
    content_type: t.contentType,
    content_structure: t.contentStructure,
    status: t.status,
    prompt_override: t.promptOverride,
    meta_title: t.metaTitle,
    meta_description: t.metaDescription,
    site_id: t.siteId,
    sector_id: t.sectorId,
    created_at: t.createdAt.toISOString(),
  };
}
