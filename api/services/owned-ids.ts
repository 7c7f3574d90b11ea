import type { PrismaClient } from '../../db/client';
import type { AIFunction } from '../../functions';
import type { InputRows } from '../../pipeline/definition';
import { START_CHECKS } from '../../functions/start-checks';
import { BadRequestError, NotFoundError } from '../errors';

/** Which of `ids` the account owns, for each kind of row a function's ids name. */
const OWNED_IDS: Record<InputRows, (prisma: PrismaClient, accountId: number, ids: number[]) => Promise<Array<{ id: number }>>> = {
  keyword: (prisma, accountId, ids) => prisma.keyword.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }),
  cluster: (prisma, accountId, ids) => prisma.cluster.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }),
  writerTask: (prisma, accountId, ids) => prisma.writerTask.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }),
  content: (prisma, accountId, ids) => prisma.content.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }),
  image: (prisma, accountId, ids) => prisma.image.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } }),
};

/**
 * The API's input check: no repeats, at most `maxItems`, every id the caller's, and the function's
 * own checks. Another account's id reads exactly like an unknown one (404), so ids cannot be probed.
 */
export async function checkStartIds(prisma: PrismaClient, accountId: number, fn: AIFunction, ids: number[]): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length !== ids.length) throw new BadRequestError('ids must not repeat an id.');
  if (ids.length > fn.maxItems) {
    throw new BadRequestError(`Too many ids: ${fn.name} takes at most ${fn.maxItems} ${fn.itemNoun}s, got ${ids.length}.`);
  }
  const owned = new Set((await OWNED_IDS[fn.input](prisma, accountId, ids)).map((row) => row.id));
  const missing = ids.filter((id) => !owned.has(id));
  if (missing.length) throw new NotFoundError(`${capitalise(fn.itemNoun)}s not found: ${missing.join(', ')}.`);
  const refusal = await START_CHECKS[fn.name]?.(prisma, accountId, ids);
  if (refusal) throw new BadRequestError(refusal);
}

/**
 * With a `sector_id`, the run works on that sector's rows: ids of the caller's other sectors are a
 * 400 naming them (the run would otherwise skip them without a word). Keywords are the only input
 * a start filters by sector.
 */
export async function checkSectorOfIds(prisma: PrismaClient, accountId: number, fn: AIFunction, ids: number[], sectorId: number): Promise<void> {
  if (fn.input !== 'keyword') return;
  const elsewhere = await prisma.keyword.findMany({
    where: { accountId, id: { in: ids }, sectorId: { not: sectorId } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  if (elsewhere.length) {
    throw new BadRequestError(`Keywords not in sector ${sectorId}: ${elsewhere.map((k) => k.id).join(', ')}. Send the ids of that sector, or leave out sector_id.`);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
