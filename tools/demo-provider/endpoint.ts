import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Behaviour, ProviderSettings } from './behaviours';
import type { RecordedRequest } from './request-record';

/** An error answer's details; each provider puts them in its own error body. */
export interface ErrorDetail {
  message?: string;
  code?: string;
  /** Sent as the Retry-After header, in seconds. */
  retryAfter?: number;
  /** The request field at fault (OpenAI's `param`, Runware's `parameter`). */
  param?: string;
}

/** One request on its way through the provider, after behaviours and delays are settled. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  bodyIsJson: boolean;
  entry: RecordedRequest;
  behaviour: Behaviour | undefined;
  settings: ProviderSettings;
  /** Aborts when the client disconnects or the provider closes. */
  signal: AbortSignal;
  /** Where this provider's image files are reachable, for the URLs it hands out. */
  publicBaseUrl: string;
  /** Refuses the request the way the real provider would (a 4xx with its error body). */
  reject(status: number, detail: ErrorDetail): void;
}

/** One provider API: how it answers, and how it fails when a behaviour says so. */
export interface ProviderEndpoint {
  sendError(res: ServerResponse, status: number, detail: ErrorDetail): void;
  /** HTTP 200 with a body that is not JSON. */
  sendMalformed(exchange: Exchange): void;
  answer(exchange: Exchange): void | Promise<void>;
}

/** The bearer token of the request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() || undefined;
}

/** The `malformed` behaviour's body: a gateway's HTML error page, which no client can parse as JSON. */
export const MALFORMED_BODY = '<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>';
