import { z } from 'zod';

/** Shapes every endpoint shares (see docs/api.md). */
export const errorResponse = z.object({ success: z.literal(false), error: z.string() });

export const taskStartedResponse = z.object({ success: z.literal(true), task_id: z.string(), message: z.string() });

export const createdResponse = z.object({ success: z.literal(true), ids: z.array(z.number().int()) });

export const positiveId = z.coerce.number().int().positive();

/** A task id in a path (the workflow id: `<function>-a<account>-<uuid>`). */
export const taskIdParams = z.object({ task_id: z.string().min(1).max(200) });

export const startBody = z.object({
  ids: z.array(z.number().int().positive()).min(1, 'ids must hold at least one id'),
  prompt_override: z.string().max(50_000).optional(),
});

/** `ids=1,2,3` in a query string. */
export const idListParam = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'ids must be comma-separated integers, like 1,2,3')
  .transform((s) => s.split(',').map(Number));

export const paginationQuery = z.object({
  ids: idListParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

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

/** A yes/no query parameter (`include_html=true`, `include_steps=1`); absent means no. */
export const queryFlag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');
