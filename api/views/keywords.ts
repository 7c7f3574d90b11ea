import { z } from 'zod';
import type { Keyword } from '../../db/client';

export const keywordView = z.object({
  id: z.number().int(),
  keyword: z.string(),
  volume: z.number().int(),
  difficulty: z.number().int(),
  intent: z.string(),
  /** The seed keyword this keyword came from; null when entered by hand. */
  seed_keyword: z.string().nullable(),
  /** The user's own volume: when set, it stands for `volume` in clustering and in a cluster's volume. */
  volume_override: z.number().int().nullable(),
  /** The user's own difficulty: when set, it stands for `difficulty` in the clustering prompt. */
  difficulty_override: z.number().int().nullable(),
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
    seed_keyword: k.seedKeyword,
    volume_override: k.volumeOverride,
    difficulty_override: k.difficultyOverride,
    status: k.status,
    cluster_id: k.clusterId,
    site_id: k.siteId,
    sector_id: k.sectorId,
    created_at: k.createdAt.toISOString(),
  };
}
