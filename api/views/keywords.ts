import { z } from 'zod';
import type { Keyword } from '../../db/client';

export const keywordView = z.object({
  id: z.number().int(),
  keyword: z.string(),
  volume: z.number().int(),
  difficulty: z.number().int(),
  intent: z.string(),
  status: z.string(),
  cluster_id: z.number().int().nullable(),
  site_id: z.number().int(),
  sector_id: z.number().int(),
  created_at: z.string(),
});

export function toKeywordView(k: Keyword): z.infer<typeof keywordView> {
  return {
    id: k.id,
    keyword: k.keyword,
    volume: k.volume,
    difficulty: k.difficulty,
    intent: k.intent,
    status: k.status,
    cluster_id: k.clusterId,
    site_id: k.siteId,
    sector_id: k.sectorId,
    created_at: k.createdAt.toISOString(),
  };
}
