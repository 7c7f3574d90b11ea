import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * What a list screen asks of a list beyond `ids`, `limit` and `offset` (api/schemas.ts): an order
 * from an allow-list, a text search, and links to the pages either side.
 */

type Direction = 'asc' | 'desc';

/**
 * `?ordering=-created_at,name`: fields of the list's allow-list (API names, mapped to Prisma's),
 * `-` for descending. The id always breaks ties, so pages never overlap. An unknown field is a 400
 * naming it and the fields there are. Absent: `fallback`.
 */
export function orderingParam<Field extends string>(fields: Record<Field, string>, fallback: Array<Record<string, Direction>> = [{ id: 'asc' }]) {
  const names = Object.keys(fields);
  return z
    .string()
    .max(200)
    .optional()
    .superRefine((value, ctx) => {
      for (const part of (value ?? '').split(',').filter(Boolean)) {
        const name = part.replace(/^-/, '');
        if (!names.includes(name)) ctx.addIssue({ code: 'custom', message: `unknown field "${name.slice(0, 50)}"; order by one of ${names.join(', ')} (prefix - for descending)` });
      }
    })
    .transform((value): Array<Record<string, Direction>> => {
      const parts = (value ?? '').split(',').filter(Boolean);
      if (parts.length === 0) return fallback;
      const order = parts.map((part) => ({ [(fields as Record<string, string>)[part.replace(/^-/, '')]]: part.startsWith('-') ? ('desc' as const) : ('asc' as const) }));
      return order.some((o) => 'id' in o) ? order : [...order, { id: 'asc' }];
    })
    .describe(`Order by ${names.join(', ')}; prefix - for descending; comma-separated for more than one`);
}

/** `?search=`: words a row's main text contains, in any case. */
export const searchParam = z.string().trim().max(255).optional().describe('Rows whose main text contains this, in any case');

/** A case-insensitive "contains" filter on `field`, or nothing when the search is empty. */
export function containsText(search: string | undefined): { contains: string; mode: 'insensitive' } | undefined {
  return search ? { contains: search, mode: 'insensitive' } : undefined;
}

/** A list's answer: the total matching, one page of rows, and the pages either side (null at an end). */
export function pageResponse<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    success: z.literal(true),
    count: z.number().int(),
    /** The next page: this request's path and query with `offset` moved on; null on the last page. */
    next: z.string().nullable(),
    /** The previous page; null on the first. */
    previous: z.string().nullable(),
    results: z.array(item),
  });
}

/**
 * The links of a page: absolute paths (`/api/v1/planner/keywords/?status=pending&offset=50`) with
 * the request's query kept and only `offset` changed, so a client follows them as they are.
 */
export function pageLinks(request: FastifyRequest, count: number, page: { limit: number; offset: number }): { next: string | null; previous: string | null } {
  const url = new URL(request.url, 'http://self');
  const at = (offset: number) => {
    url.searchParams.set('offset', String(offset));
    return `${url.pathname}${url.search}`;
  };
  const next = page.offset + page.limit < count ? at(page.offset + page.limit) : null;
  const previous = page.offset > 0 ? at(Math.max(0, Math.min(page.offset, count) - page.limit)) : null;
  return { next, previous };
}
