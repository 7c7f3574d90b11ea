import type { PrismaClient } from '../../db/client';
import { NotFoundError } from '../errors';

/** The sector new rows go to: the one named, or the account's default (its first) sector. */
export async function resolveSector(prisma: PrismaClient, accountId: number, sectorId?: number) {
  const sector = await prisma.sector.findFirst({
    where: { accountId, ...(sectorId ? { id: sectorId } : {}) },
    orderBy: { id: 'asc' },
  });
  if (!sector) {
    throw new NotFoundError(sectorId ? `Sector ${sectorId} not found.` : 'This account has no sector; create one first.');
  }
  return sector;
}
