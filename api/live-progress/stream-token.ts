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

  /**
   * The account a valid token for this task was issued to, and when the token expires (a stream
   * opened with it ends then); 401 with the reason otherwise.
   */
  verify(token: string, taskId: string, nowMs = Date.now()): { accountId: number; expiresAtMs: number } {
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
    const expiresAtMs = Number(match[3]) * 1000;
    if (expiresAtMs <= nowMs) {
      throw new UnauthorizedError('The stream token has expired; take a fresh stream_url from the progress endpoint.');
    }
    return { accountId: Number(match[2]), expiresAtMs };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload, 'utf8').digest('base64url');
  }
}

/**
 * The signing secret: STREAM_TOKEN_SECRET, and never one derived from another setting. A secret
 * derived from the database URL is as guessable as the URL (compose's default one is public), so
 * anyone could forge tokens, and anyone holding a token could test guesses of the database
 * password offline. Without the variable, a process signs with a random secret of its own: its
 * tokens work on that process only and until it restarts, which `warn` says once. Production
 * refuses to start that way (`checkStreamTokenSecret`).
 */
export function streamTokenSecret(configured: string | undefined, warn: (message: string) => void): string {
  if (configured) return configured;
  warn(
    'STREAM_TOKEN_SECRET is not set: stream tokens are signed with a random secret of this process, so a stream_url ' +
      'works on this API process only and stops working when it restarts. Set the same secret in every API process.',
  );
  return randomBytes(32).toString('base64url');
}

/** Production does not start without STREAM_TOKEN_SECRET: streams must survive restarts and work across API processes. */
export function checkStreamTokenSecret(env: { NODE_ENV?: string; STREAM_TOKEN_SECRET?: string }): void {
  if (env.NODE_ENV === 'production' && !env.STREAM_TOKEN_SECRET) {
    throw new Error(
      'STREAM_TOKEN_SECRET is required when NODE_ENV=production: set it to the same random secret of at least 32 ' +
        'characters in every API process (make one with `openssl rand -base64 32`).',
    );
  }
}

export function streamPath(taskId: string): string {
  return `/api/v1/system/settings/task_progress/${encodeURIComponent(taskId)}/stream/`;
}
