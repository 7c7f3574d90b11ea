import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { dependenciesPlugin, type AppDependencies } from './plugins/dependencies';
import { authPlugin } from './plugins/auth';
import { taskProgressPlugin } from './plugins/task-progress';
import { registerErrorHandler } from './error-handler';
import { healthRoutes } from './routes/health';
import { keywordRoutes } from './routes/planner/keywords';
import { clusterRoutes } from './routes/planner/clusters';
import { integrationRoutes } from './routes/system/integrations';
import { aiFunctionRoutes } from './routes/ai-functions';
import { taskProgressRoutes } from './routes/system/task-progress';
import { ideaRoutes } from './routes/planner/ideas';
import { writerTaskRoutes } from './routes/writer/tasks';
import { contentRoutes } from './routes/writer/content';
import { imageRoutes } from './routes/writer/images';
import { promptRoutes } from './routes/system/prompts';
import { taskRoutes } from './routes/system/tasks';
import { taskStreamRoutes } from './routes/system/task-stream';
import { StreamTokens, streamTokenSecret } from './live-progress/stream-token';
import { sectorRoutes } from './routes/planner/sectors';
import { aiTaskLogRoutes } from './routes/system/ai-task-logs';

export interface AppOptions extends AppDependencies {
  /** Origins allowed by CORS (CORS_ORIGINS, comma-separated); empty allows none. */
  corsOrigins?: string[];
  logger?: FastifyServerOptions['logger'];
  /** The database the live progress stream LISTENs on (one connection per process); without it the stream answers 503. */
  databaseUrl?: string;
  /** Signs stream tokens (STREAM_TOKEN_SECRET); by default derived from `databaseUrl`. */
  streamTokenSecret?: string;
  /** Milliseconds between the stream's keep-alive comments (15 s). */
  streamKeepAliveMs?: number;
}

/** Builds the HTTP API: external plugins, then the app's own, then routes (fastify/demo's order). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // The progress endpoint is polled every 1–2 s by every open modal: a line per request would
    // drown the log. Errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cors, { origin: options.corsOrigins?.length ? options.corsOrigins : false });
  // The OpenAPI document is generated from the same zod schemas that validate requests.
  await app.register(swagger, {
    openapi: {
      info: { title: 'AI task service', version: '1.0.0', description: 'Starts AI functions as durable workflows and reports their progress.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(dependenciesPlugin, { prisma: options.prisma, temporal: options.temporal, taskQueue: options.taskQueue });
  await app.register(authPlugin);
  await app.register(taskProgressPlugin);
  registerErrorHandler(app);

  await app.register(healthRoutes);
  await app.register(keywordRoutes);
  await app.register(clusterRoutes);
  await app.register(integrationRoutes);
  await app.register(aiFunctionRoutes);
  await app.register(ideaRoutes);
  await app.register(writerTaskRoutes);
  await app.register(contentRoutes);
  await app.register(imageRoutes);
  await app.register(promptRoutes);
  const streamTokens = new StreamTokens(streamTokenSecret({ secret: options.streamTokenSecret, databaseUrl: options.databaseUrl }));
  await app.register(taskProgressRoutes, { streamTokens });
  await app.register(taskStreamRoutes, { streamTokens, databaseUrl: options.databaseUrl, keepAliveMs: options.streamKeepAliveMs });
  await app.register(taskRoutes);
  await app.register(sectorRoutes);
  await app.register(aiTaskLogRoutes);
  return app;
}
