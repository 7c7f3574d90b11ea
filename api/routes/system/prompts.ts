import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_PROMPTS, PROMPT_TYPES, type PromptType } from '../../../functions';
import { errorResponses, listResponse, objectResponse } from '../../schemas';

const promptParams = z.object({ prompt_type: z.enum(PROMPT_TYPES) });

const promptView = z.object({
  prompt_type: z.string(),
  prompt_value: z.string(),
  /** `account`: the account's own prompt; `default`: the built-in one. */
  source: z.enum(['account', 'default']),
  updated_at: z.string().nullable(),
});

type PromptRow = { promptType: string; promptValue: string; updatedAt: Date } | null;

function view(promptType: PromptType, row: PromptRow): z.infer<typeof promptView> {
  return row
    ? { prompt_type: promptType, prompt_value: row.promptValue, source: 'account', updated_at: row.updatedAt.toISOString() }
    : { prompt_type: promptType, prompt_value: DEFAULT_PROMPTS[promptType], source: 'default', updated_at: null };
}

/** The account's prompts: the middle step of prompt resolution, between a task's override and the defaults. */
export const promptRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/system/prompts/',
    { schema: { tags: ['system'], response: { 200: listResponse(promptView), ...errorResponses } } },
    async (request) => {
      const rows = await app.prisma.aIPrompt.findMany({ where: { accountId: request.accountId } });
      const byType = new Map(rows.map((r) => [r.promptType, r]));
      const results = PROMPT_TYPES.map((type) => view(type, byType.get(type) ?? null));
      return { success: true as const, count: results.length, results };
    },
  );

  app.put(
    '/api/v1/system/prompts/:prompt_type/',
    {
      schema: {
        tags: ['system'],
        params: promptParams,
        body: z.object({ prompt_value: z.string().trim().min(1, 'prompt_value must not be empty').max(50_000) }),
        response: { 200: objectResponse(promptView), ...errorResponses },
      },
    },
    async (request) => {
      const { prompt_type } = request.params;
      const key = { accountId: request.accountId, promptType: prompt_type };
      const row = await app.prisma.aIPrompt.upsert({
        where: { accountId_promptType: key },
        create: { ...key, promptValue: request.body.prompt_value },
        update: { promptValue: request.body.prompt_value },
      });
      return { success: true as const, data: view(prompt_type, row) };
    },
  );

  app.delete(
    '/api/v1/system/prompts/:prompt_type/',
    { schema: { tags: ['system'], params: promptParams, response: { 200: objectResponse(promptView), ...errorResponses } } },
    async (request) => {
      const { prompt_type } = request.params;
      await app.prisma.aIPrompt.deleteMany({ where: { accountId: request.accountId, promptType: prompt_type } });
      return { success: true as const, data: view(prompt_type, null) };
    },
  );
};
