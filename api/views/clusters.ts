import { z } from 'zod';
import type { Cluster } from '../../db/client';

export const clusterView = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  keywords_count: z.number().int(),
  volume: z.number().int(),
  status: z.string(),
  site_id: z.number().int(),
  sector_id: z.number().int(),
  created_at: z.string(),
});

export function toClusterView(c: Cluster): z.infer<typeof clusterView> {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    keywords_count: c.keywordsCount,
    // A sum of keyword volumes: exact as a number far beyond any real total (2^53).
    volume: Number(c.volume),
    status: c.status,
    site_id: c.siteId,
    sector_id: c.sectorId,
    created_at: c.createdAt.toISOString(),
  };
}
