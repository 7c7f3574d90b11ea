import type { ServerResponse } from 'node:http';
import type { ErrorDetail, Exchange } from './endpoint';
import { MALFORMED_BODY } from './endpoint';
import { sendJson } from './http-io';

// What OpenAI answers for each status, so the SDK raises the same error classes as in production.
const OPENAI_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for requests per min (RPM). Please try again later.',
  },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

/** OpenAI's error body `{"error":{"message","type","param","code"}}`, with Retry-After when given. */
export function sendOpenAiError(res: ServerResponse, status: number, detail: ErrorDetail = {}): void {
  const known = OPENAI_ERRORS[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
    message: `Request failed with status ${status}.`,
  };
  const headers: Record<string, string> = {};
  if (detail.retryAfter !== undefined) headers['retry-after'] = String(detail.retryAfter);
  sendJson(
    res,
    status,
    {
      error: {
        message: detail.message ?? known.message,
        type: known.type,
        param: detail.param ?? null,
        code: detail.code ?? known.code,
      },
    },
    headers,
  );
}

/**
 * A gateway's HTML error page labelled as JSON (so the SDK tries, and fails, to parse it); for a
 * stream, an event whose data is that page.
 */
export function sendOpenAiMalformed(exchange: Exchange): void {
  const { res, body } = exchange;
  const streaming = typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
  if (streaming) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(`data: ${MALFORMED_BODY}\n\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(MALFORMED_BODY)) });
  res.end(MALFORMED_BODY);
}
