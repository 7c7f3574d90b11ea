import type { PrismaClient } from '../../db/client';
import type { FunctionName } from '../../pipeline/definition';
import { BadRequestError, NotFoundError } from '../errors';

/** Which of `ids` the account owns, per function: the rows each function reads. */
const OWNED_IDS: Record<FunctionName, (prisma: PrismaClient, accountId: number, ids: number[]) => Promise<number[]>> = {
  auto_cluster: async (prisma, accountId, ids) =>
    (await prisma.keyword.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } })).map((r) => r.id),
  generate_ideas: async (prisma, accountId, ids) =>
    (await prisma.cluster.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } })).map((r) => r.id),
  generate_content: async (prisma, accountId, ids) =>
    (await prisma.writerTask.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } })).map((r) => r.id),
  generate_image_prompts: async (prisma, accountId, ids) =>
    (await prisma.content.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } })).map((r) => r.id),
  generate_images: async (prisma, accountId, ids) =>
    (await prisma.image.findMany({ where: { accountId, id: { in: ids } }, select: { id: true } })).map((r) => r.id),
};

/** Checks of owned rows some functions add. */
const ROW_CHECKS: Partial<Record<FunctionName, (prisma: PrismaClient, accountId: number, ids: number[]) => Promise<void>>> = {
  // An image without a prompt cannot be generated; the API says which, and starts nothing.
  generate_images: async (prisma, accountId, ids) => {
    const withoutPrompt = await prisma.image.findMany({ where: { accountId, id: { in: ids }, prompt: '' }, select: { id: true }, orderBy: { id: 'asc' } });
    if (withoutPrompt.length) {
      const list = withoutPrompt.map((i) => i.id).join(', ');
      throw new BadRequestError(`Images without a prompt: ${list}. Run generate_image_prompts for their content first.`);
    }
  },
};

/**
 * The API's input check: no repeats, at most `maxItems`, every id the caller's. Another
 * account's id reads exactly like an unknown one (404), so ids cannot be probed.
 */
export async function checkStartIds(
  prisma: PrismaClient,
  accountId: number,
  fn: { name: FunctionName; maxItems?: number; itemNoun: string },
  ids: number[],
): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length !== ids.length) throw new BadRequestError('ids must not repeat an id.');
  if (fn.maxItems !== undefined && ids.length > fn.maxItems) {
    throw new BadRequestError(`Too many ids: ${fn.name} takes at most ${fn.maxItems} ${fn.itemNoun}s, got ${ids.length}.`);
  }
  const owned = new Set(await OWNED_IDS[fn.name](prisma, accountId, ids));
  const missing = ids.filter((id) => !owned.has(id));
  if (missing.length) throw new NotFoundError(`${capitalise(fn.itemNoun)}s not found: ${missing.join(', ')}.`);
  await ROW_CHECKS[fn.name]?.(prisma, accountId, ids);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
