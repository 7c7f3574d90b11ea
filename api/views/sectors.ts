import { z } from 'zod';
import type { Sector, Site } from '../../db/client';

export const sectorView = z.object({
  id: z.number().int(),
  name: z.string(),
  site_id: z.number().int(),
  site_name: z.string(),
  created_at: z.string(),
});

export function toSectorView(s: Sector & { site: Pick<Site, 'name'> }): z.infer<typeof sectorView> {
  return { id: s.id, name: s.name, site_id: s.siteId, site_name: s.site.name, created_at: s.createdAt.toISOString() };
}
