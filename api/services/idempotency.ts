import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../db/client';
import { BadRequestError, ConflictError } from '../errors';

/** How long an Idempotency-Key answers with the task it started: 24 hours. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface IdempotentRequest {
  key: string;
  hash: string;
}

/** The request's key and a hash of what it asks for; undefined when it carries no key. */
export function idempotentRequest(header: string | string[] | undefined, functionName: string, body: unknown): IdempotentRequest | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new BadRequestError('Idempotency-Key must be 1–255 visible ASCII characters.');
  }
  return { key, hash: createHash('sha256').update(canonicalJson({ functionName, body })).digest('hex') };
}

/**
 * The task an earlier request with this key started, if it is within the window. The same key
 * with a different request is a conflict: the caller reused a key by mistake.
 */
export async function taskForKey(prisma: PrismaClient, accountId: number, request: IdempotentRequest): Promise<string | undefined> {
  const earlier = await prisma.aITaskLog.findUnique({
    where: { accountId_idempotencyKey: { accountId, idempotencyKey: request.key } },
    select: { taskId: true, requestHash: true, createdAt: true },
  });
  if (!earlier) return undefined;
  if (Date.now() - earlier.createdAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    // Expired: free the key for this request.
    await prisma.aITaskLog.updateMany({ where: { taskId: earlier.taskId }, data: { idempotencyKey: null } });
    return undefined;
  }
  if (earlier.requestHash !== request.hash) {
    throw new ConflictError(`Idempotency-Key '${request.key}' was used for a different request (task ${earlier.taskId}); use a new key.`);
  }
  return earlier.taskId;
}

/** JSON with sorted keys, so the same request hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
