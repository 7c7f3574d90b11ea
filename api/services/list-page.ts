import type { Prisma } from '../../db/client';

/**
 * What a list route reads of a Prisma model delegate (`app.prisma.keyword`, …). Each delegate's
 * methods are generic over their own argument types, so only `any` admits them all; the types that
 * matter come back through Prisma.Args and Prisma.Result below.
 */
interface ListableModel {
  count(args: any): PromiseLike<unknown>;
  findMany(args: any): PromiseLike<unknown[]>;
}

type Where<Model> = Prisma.Args<Model, 'findMany'>['where'];

/** The findMany arguments a route chooses (order, select, include, omit); the rest comes from the request. */
type PageArgs<Model> = Omit<Prisma.Args<Model, 'findMany'>, 'where' | 'take' | 'skip'>;

/** The query every list shares (api/schemas.ts paginationQuery). */
interface PageQuery {
  ids?: number[];
  limit: number;
  offset: number;
}

/**
 * One page of a list: the total matching (`count`) and the rows at `offset`/`limit`,
 * read in parallel. The rows match `filters` and `ids=1,2,3`; a filter left out of the query
 * string, or given empty (`status=`), narrows nothing. The rows are typed by `args` (select,
 * include, omit): `const` keeps a literal `true` in them, as Prisma's own findMany does.
 */
export async function listPage<Model extends ListableModel, const Args extends PageArgs<Model>>(
  model: Model,
  filters: Where<Model>,
  query: PageQuery,
  args: Args,
): Promise<{ count: number; rows: Prisma.Result<Model, Args, 'findMany'> }> {
  const given = Object.entries(filters ?? {}).filter(([, value]) => value !== undefined && value !== '');
  const where = { ...Object.fromEntries(given), ...(query.ids ? { id: { in: query.ids } } : {}) };
  const [count, rows] = await Promise.all([
    model.count({ where }),
    model.findMany({ ...args, where, take: query.limit, skip: query.offset }),
  ]);
  return { count: count as number, rows: rows as Prisma.Result<Model, Args, 'findMany'> };
}
