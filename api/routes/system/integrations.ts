import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, objectResponse } from '../../schemas';
import { INTEGRATION_TYPES, maskConfig, saveIntegration } from '../../services/integrations';
import { nestedDeeperThan } from '../../input/json-depth';

const integrationParams = z.object({ integration_type: z.enum(INTEGRATION_TYPES) });

/** A provider's settings are a handful of keys: deeper or larger JSON is a mistake or an attack, refused before it is stored or masked. */
const CONFIG_MAX_DEPTH = 10;
const CONFIG_MAX_BYTES = 16 * 1024;

const integrationConfig = z.record(z.string(), z.unknown()).superRefine((config, context) => {
  if (nestedDeeperThan(config, CONFIG_MAX_DEPTH)) {
    context.addIssue({ code: 'custom', message: `must be nested at most ${CONFIG_MAX_DEPTH} levels deep (the config itself is the first)` });
  } else if (Buffer.byteLength(JSON.stringify(config), 'utf8') > CONFIG_MAX_BYTES) {
    context.addIssue({ code: 'custom', message: `must be at most ${CONFIG_MAX_BYTES / 1024} KiB of JSON` });
  }
});

const integrationBody = z.object({
  config: integrationConfig.optional(),
  is_active: z.boolean().optional(),
});

const integrationView = z.object({
  integration_type: z.string(),
  config: z.record(z.string(), z.unknown()),
  is_active: z.boolean(),
  updated_at: z.string().nullable(),
});

/** Provider settings per account (the only source of model settings); secrets masked on the way out. */
export const integrationRoutes: FastifyPluginAsyncZod = async (app) => {
  const path = '/api/v1/system/settings/integrations/:integration_type/';

  app.get(
    path,
    { schema: { tags: ['system'], params: integrationParams, response: { 200: objectResponse(integrationView), ...errorResponses } } },
    async (request) => {
      const type = request.params.integration_type;
      const row = await app.prisma.integrationSettings.findUnique({
        where: { accountId_integrationType: { accountId: request.accountId, integrationType: type } },
      });
      return {
        success: true as const,
        data: {
          integration_type: type,
          config: maskConfig((row?.config as Record<string, unknown>) ?? {}),
          is_active: row?.isActive ?? false,
          updated_at: row?.updatedAt.toISOString() ?? null,
        },
      };
    },
  );

  app.put(
    path,
    {
      schema: {
        tags: ['system'],
        params: integrationParams,
        body: integrationBody,
        response: { 200: objectResponse(integrationView), ...errorResponses },
      },
    },
    async (request) => {
      const row = await saveIntegration(app.prisma, request.accountId, request.params.integration_type, request.body);
      return {
        success: true as const,
        data: {
          integration_type: row.integrationType,
          config: maskConfig(row.config as Record<string, unknown>),
          is_active: row.isActive,
          updated_at: row.updatedAt.toISOString(),
        },
      };
    },
  );
};
