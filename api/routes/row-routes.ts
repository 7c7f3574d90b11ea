import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { errorResponses, objectResponse, positiveId } from '../schemas';
import { BadRequestError, NotFoundError } from '../errors';
import { refuseWhileInUse, type RowsToRemove } from '../services/rows-in-use';

type ZodApp = FastifyInstance<any, any, any, any, ZodTypeProvider>;

/** One planner or writer resource's single-row routes: read, edit, delete, all within the caller's account. */
export interface RowRoutes<Row, View extends z.ZodTypeAny, Patch extends z.ZodObject<z.ZodRawShape>> {
  /** `/api/v1/planner/keywords/:id/` */
  path: string;
  tag: 'planner' | 'writer';
  /** `Keyword`: the row in messages (`Keyword 5 not found.`). */
  noun: string;
  view: View;
  toView(row: Row): z.infer<View>;
  /** The row, if it is the account's. */
  find(prisma: PrismaClient, accountId: number, id: number): Promise<Row | null>;
  /** Also register `GET` (false where a route of its own already answers it). */
  get?: boolean;
  patch: {
    /** The fields a user may edit; every one optional, unknown ones refused. */
    body: Patch;
    description: string;
    apply(prisma: PrismaClient, row: Row, changes: z.infer<Patch>, accountId: number): Promise<Row>;
  };
  remove: {
    /** What happens to the row's dependents, for the OpenAPI document. */
    description: string;
    /** The rows the delete removes, by kind (the row and what cascades with it): none may be in a running task's input. */
    rowsToRemove(prisma: PrismaClient, row: Row): Promise<RowsToRemove>;
    apply(prisma: PrismaClient, row: Row): Promise<void>;
  };
}

const idParams = z.object({ id: positiveId });
const deletedResponse = z.object({ success: z.literal(true), id: z.number().int() });

export function registerRowRoutes<Row, View extends z.ZodTypeAny, Patch extends z.ZodObject<z.ZodRawShape>>(
  app: ZodApp,
  spec: RowRoutes<Row, View, Patch>,
): void {
  const load = async (accountId: number, id: number): Promise<Row> => {
    const row = await spec.find(app.prisma, accountId, id);
    // Another account's row reads exactly like a missing one.
    if (!row) throw new NotFoundError(`${spec.noun} ${id} not found.`);
    return row;
  };
  const label = (id: number) => `${spec.noun} ${id}`;
  // Typed by each resource's spec; Fastify checks the answer against it when it serialises.
  const itemResponse: z.ZodTypeAny = objectResponse(spec.view);

  if (spec.get !== false) {
    app.get(
      spec.path,
      {
        schema: {
          tags: [spec.tag],
          summary: `One ${spec.noun.toLowerCase()}`,
          params: idParams,
          response: { 200: itemResponse, ...errorResponses },
        },
      },
      async (request) => ({ success: true as const, data: spec.toView(await load(request.accountId, request.params.id)) }),
    );
  }

  app.patch(
    spec.path,
    {
      schema: {
        tags: [spec.tag],
        summary: `Edit a ${spec.noun.toLowerCase()}`,
        description: spec.patch.description,
        params: idParams,
        body: spec.patch.body.strict(),
        response: { 200: itemResponse, ...errorResponses },
      },
    },
    async (request) => {
      const changes = request.body as z.infer<Patch>;
      if (Object.keys(changes).length === 0) {
        throw new BadRequestError(`Send at least one field to change: ${Object.keys(spec.patch.body.shape).join(', ')}.`);
      }
      const row = await load(request.accountId, request.params.id);
      const updated = await spec.patch.apply(app.prisma, row, changes, request.accountId);
      return { success: true as const, data: spec.toView(updated) };
    },
  );

  app.delete(
    spec.path,
    {
      schema: {
        tags: [spec.tag],
        summary: `Delete a ${spec.noun.toLowerCase()}`,
        description: `${spec.remove.description} A running task whose input lists the row (or a row removed with it) makes this a 409 naming the task.`,
        params: idParams,
        response: { 200: deletedResponse, ...errorResponses },
      },
    },
    async (request) => {
      const row = await load(request.accountId, request.params.id);
      await refuseWhileInUse(app.prisma, request.accountId, label(request.params.id), await spec.remove.rowsToRemove(app.prisma, row));
      await spec.remove.apply(app.prisma, row);
      return { success: true as const, id: request.params.id };
    },
  );
}
