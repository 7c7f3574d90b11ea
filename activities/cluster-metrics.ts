import { Prisma, type PrismaClient } from '../db/client';

/**
 * Recounts clusters' `keywords_count` and `volume` from their keywords, in one statement. A
 * keyword counts with its own volume unless the user set `volume_override` (seed 04 §2.3). Used by
 * auto_cluster's save and by every edit that moves, re-weighs or removes a keyword.
 */
export async function recountClusters(db: PrismaClient | Prisma.TransactionClient, clusterIds: Array<number | null | undefined>): Promise<void> {
  const ids = [...new Set(clusterIds.filter((id): id is number => id != null))];
  if (ids.length === 0) return;
  await db.$executeRaw`
    UPDATE clusters c SET keywords_count = coalesce(t.n, 0), volume = coalesce(t.volume, 0), updated_at = now()
    FROM (SELECT id FROM clusters WHERE id IN (${Prisma.join(ids)})) AS touched
    LEFT JOIN (
      SELECT cluster_id, count(*)::int AS n, sum(coalesce(volume_override, volume))::bigint AS volume
      FROM keywords WHERE cluster_id IN (${Prisma.join(ids)}) GROUP BY cluster_id
    ) AS t ON t.cluster_id = touched.id
    WHERE c.id = touched.id`;
}
