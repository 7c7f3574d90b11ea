import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors';

const DEFAULT_TTL_SECONDS = 10 * 60;

/**
 * Short-lived tokens for the live progress stream: a browser `EventSource` sends no headers,
 * so the polling answer hands out a URL carrying one. A token is bound to one task and one account
 * and expires; it is `base64url("<taskId>.<accountId>.<expiry>")` and an HMAC-SHA256 of that.
 */
export class StreamTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds = DEFAULT_TTL_SECONDS,
  ) {}

  issue(taskId: string, accountId: number, nowMs = Date.now()): string {
    const expiry = Math.floor(nowMs / 1000) + this.ttlSeconds;
    const payload = Buffer.from(`${taskId}.${accountId}.${expiry}`, 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The account a valid token for this task was issued to; 401 with the reason otherwise. */
  verify(token: string, taskId: string, nowMs = Date.now()): number {
    const [payload, signature, ...rest] = token.split('.');
    const expected = this.sign(payload ?? '');
    const given = Buffer.from(signature ?? '', 'utf8');
    if (rest.length > 0 || !payload || given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
      throw new UnauthorizedError('The stream token is not valid (altered or malformed); take a fresh stream_url from the progress endpoint.');
    }
    const match = /^(.+)\.(\d+)\.(\d+)$/.exec(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!match || match[1] !== taskId) {
      throw new UnauthorizedError('The stream token was issued for another task; take the stream_url of this task from its progress endpoint.');
    }
    if (Number(match[3]) * 1000 <= nowMs) {
      throw new UnauthorizedError('The stream token has expired; take a fresh stream_url from the progress endpoint.');
    }
    return Number(match[2]);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload, 'utf8').digest('base64url');
  }
}

/**
 * The signing secret: STREAM_TOKEN_SECRET, else one derived from the database URL, so every API
 * process sharing a database accepts the others' tokens without configuration (set the variable in
 * production: the URL is not a secret everywhere); else a random one (a lone process).
 */
export function streamTokenSecret(options: { secret?: string; databaseUrl?: string }): string {
  if (options.secret) return options.secret;
  if (options.databaseUrl) return createHmac('sha256', 'ai-task-service stream tokens').update(options.databaseUrl, 'utf8').digest('hex');
  return randomBytes(32).toString('hex');
}

export function streamPath(taskId: string): string {
  return `/api/v1/system/settings/task_progress/${encodeURIComponent(taskId)}/stream/`;
}
