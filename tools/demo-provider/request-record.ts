import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AnswerKind } from './answers';
import type { Behaviour, Outcome } from './behaviours';

/**
 * One request as the provider saw it. Tests assert on prompts and attempt counts through this;
 * provider keys never appear in it (only whether one was sent, and a fingerprint to tell keys apart).
 */
export interface RecordedRequest {
  seq: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  method: string;
  path: string;
  query: string;
  /** Parsed JSON, or the raw text when the body is not JSON; key fields redacted. */
  body: unknown;
  /** Lower-cased header names; credentials replaced by '***'. */
  headers: Record<string, string>;
  apiKey: { present: boolean; fingerprint: string | null };
  outcome: Outcome;
  /** The behaviour applied, if any. */
  behaviour: Behaviour | null;
  /** The answer detected from the prompt (chat completions only). */
  answerKind: AnswerKind | null;
  delayMs: number;
  /** The status sent, or null while unanswered (and for a hang or a dropped connection). */
  status: number | null;
  durationMs: number | null;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'api-key', 'x-api-key', 'proxy-authorization']);
const CREDENTIAL_FIELDS = new Set(['apikey', 'api_key']);

export class RequestRecord {
  private entries: RecordedRequest[] = [];
  private nextSeq = 1;

  open(input: { method: string; path: string; query: string; headers: IncomingHttpHeaders; body: unknown }): RecordedRequest {
    const key = findApiKey(input.headers, input.body);
    const entry: RecordedRequest = {
      seq: this.nextSeq++,
      at: Date.now(),
      method: input.method,
      path: input.path,
      query: input.query,
      body: redactBody(input.body),
      headers: redactHeaders(input.headers),
      apiKey: { present: key !== null, fingerprint: key === null ? null : fingerprint(key) },
      outcome: 'answer',
      behaviour: null,
      answerKind: null,
      delayMs: 0,
      status: null,
      durationMs: null,
    };
    this.entries.push(entry);
    return entry;
  }

  /** Copies, so a test holding the list does not see later changes (or change the record). */
  list(filter: { path?: string } = {}): RecordedRequest[] {
    return this.entries.filter((entry) => filter.path === undefined || entry.path === filter.path).map((entry) => structuredClone(entry));
  }

  clear(): void {
    this.entries = [];
    this.nextSeq = 1;
  }
}

/** A short SHA-256 prefix: enough to tell which configured key was used, useless to recover it. */
export function fingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function findApiKey(headers: IncomingHttpHeaders, body: unknown): string | null {
  const bearer = /^Bearer\s+(.+)$/i.exec(headerValue(headers.authorization))?.[1]?.trim();
  if (bearer) return bearer;
  const headerKey = headerValue(headers['api-key']) || headerValue(headers['x-api-key']);
  if (headerKey) return headerKey;
  // Runware sends its key in an authentication task of the body.
  if (Array.isArray(body)) {
    for (const task of body) {
      if (isRecord(task) && typeof task.apiKey === 'string' && task.apiKey !== '') return task.apiKey;
    }
  }
  return null;
}

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = headerValue(value);
    if (!CREDENTIAL_HEADERS.has(name)) redacted[name] = text;
    else redacted[name] = /^(Bearer|Basic)\s/i.test(text) ? `${text.split(/\s/)[0]} ***` : '***';
  }
  return redacted;
}

function redactBody(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(redactBody);
  if (!isRecord(body)) return body;
  return Object.fromEntries(
    Object.entries(body).map(([field, value]) => [
      field,
      CREDENTIAL_FIELDS.has(field.toLowerCase()) && typeof value === 'string' ? (value ? '***' : '') : redactBody(value),
    ]),
  );
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
