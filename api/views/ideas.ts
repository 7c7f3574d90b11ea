import { z } from 'zod';
import type { ContentIdea } from '../../db/client';

export const ideaView = z.object({
  id: z.number().int(),
  idea_title: z.string(),
  /** The outline: plain text, or the JSON text of the model's outline object. */
  description: z.string(),
  content_type: z.string(),
  content_structure: z.string(),
  target_keywords: z.string(),
  estimated_word_count: z.number().int(),
  status: z.string(),
  cluster_id: z.number().int().nullable(),
  site_id: z.number().int(),
  sector_id: z.number().int(),
  created_at: z.string(),
});

export function toIdeaView(i: ContentIdea): z.infer<typeof ideaView> {
  return {
    id: i.id,
    idea_title: i.ideaTitle,
    description: i.description,
    content_type: i.contentType,
    content_structure: i.contentStructure,
    target_keywords: i.targetKeywords,
    estimated_word_count: i.estimatedWordCount,
    status: i.status,
    cluster_id: i.clusterId,
    site_id: i.siteId,
    sector_id: i.sectorId,
    created_at: i.createdAt.toISOString(),
  };
}
