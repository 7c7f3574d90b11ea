import { z } from 'zod';

/** Shapes every endpoint shares (see docs/api.md). */
export const errorResponse = z.object({
  success: z.literal(false),
  error: z.string(),
  /** The request's id, also in the `X-Request-Id` header and on every log line of the request. */
  request_id: z.string(),
});

export const taskStartedResponse = z.object({ success: z.literal(true), task_id: z.string(), message: z.string() });

export const createdResponse = z.object({ success: z.literal(true), ids: z.array(z.number().int()) });

/**
 * The largest value of a PostgreSQL `integer` column (int4), which every id, count and volume is.
 * A larger number that reaches a query makes the database fail the request (a 500), so the door
 * refuses it, naming the field.
 */
export const INT4_MAX = 2_147_483_647;

/** A whole number an int4 column holds: the one bound every integer input shares. */
function fitsInt4<T extends z.ZodNumber | z.ZodCoercedNumber>(schema: T): T {
  return schema.int().max(INT4_MAX, `must be at most ${INT4_MAX}`) as T;
}

/** An integer in a JSON body (`volume`, `ids`). */
export const int4 = fitsInt4(z.number());

/** An integer in a query string or a path, where it arrives as text. */
export const int4Text = fitsInt4(z.coerce.number());

/** A row id in a body's list (`ids`). */
export const rowId = int4.positive();

/** A row id in a query string, a path or a body field (`sector_id`, `?cluster_id=`, `/content/{id}/`). */
export const positiveId = int4Text.positive();

/** Path parameters are at most this long (api/plugins/request-door.ts); a task id is well within it. */
export const PATH_PARAM_MAX_LENGTH = 100;

/** A task id in a path (the workflow id: `<function>-a<account>-<uuid>`, a child run's adds `-<function>`). */
export const taskIdParams = z.object({ task_id: z.string().min(1).max(PATH_PARAM_MAX_LENGTH) });

export const startBody = z.object({
  ids: z.array(rowId).min(1, 'ids must hold at least one id'),
  prompt_override: z.string().max(50_000).optional(),
});

/** `ids=1,2,3` in a query string. */
export const idListParam = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'ids must be comma-separated integers, like 1,2,3')
  .transform((s) => s.split(',').map(Number))
  .pipe(z.array(rowId));

export const paginationQuery = z.object({
  ids: idListParam.optional(),
  limit: int4Text.min(1).max(500).default(50),
  offset: int4Text.min(0).default(0),
});

/** A text filter of a list (`status=`): short words, bounded like the columns they match. */
export const textFilter = z.string().max(50);

/** An event id of the live progress stream (`Last-Event-ID`, `lastEventId`): a `task_events` id. */
export const eventId = z
  .string()
  .regex(/^\d+$/, 'an event id of this stream (a number)')
  .transform(Number)
  .pipe(int4.min(0));

export function listResponse<T extends z.ZodTypeAny>(item: T) {
  return z.object({ success: z.literal(true), count: z.number().int(), results: z.array(item) });
}

export function objectResponse<T extends z.ZodTypeAny>(item: T) {
  return z.object({ success: z.literal(true), data: item });
}

/** The error statuses a route can answer, for its schema (and the OpenAPI document). */
export const errorResponses = {
  400: errorResponse,
  401: errorResponse,
  404: errorResponse,
  409: errorResponse,
  503: errorResponse,
};

/** A route that starts a task also answers 429: each account's starts a minute are limited (api/plugins/start-rate-limit.ts). */
export const startErrorResponses = { ...errorResponses, 429: errorResponse };

/** A yes/no query parameter (`include_html=true`, `include_steps=1`); absent means no. */
export const queryFlag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');
