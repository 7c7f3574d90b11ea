import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { dependenciesPlugin, type AppDependencies } from './plugins/dependencies';
import { authPlugin } from './plugins/auth';
import { taskProgressPlugin } from './plugins/task-progress';
import { answerFrameworkError, registerErrorHandler } from './error-handler';
import { requestDoorPlugin } from './plugins/request-door';
import { tracingPlugin } from './plugins/tracing';
import { startRateLimitPlugin } from './plugins/start-rate-limit';
import { requestIdOf, requestIdPlugin } from './plugins/request-id';
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
import { aiFunctionListRoutes } from './routes/system/ai-functions';
import { pageRoutes } from './routes/page';
import { accountRoutes } from './routes/system/account';
import { keywordRowRoutes } from './routes/planner/keyword-row';
import { clusterRowRoutes } from './routes/planner/cluster-row';
import { ideaRowRoutes } from './routes/planner/idea-row';
import { writerTaskRowRoutes } from './routes/writer/task-row';
import { contentRowRoutes } from './routes/writer/content-row';
import { imageRowRoutes } from './routes/writer/image-row';
import { DEFAULT_SLOT_POLICY } from '../activities/ai-call-slots';

export interface AppOptions extends AppDependencies {
  /** AI calls in flight per account unless the account says otherwise (ACCOUNT_MAX_CONCURRENT_AI_CALLS). */
  defaultMaxConcurrentAiCalls?: number;
  /** Origins allowed by CORS (CORS_ORIGINS, comma-separated); empty allows none. */
  corsOrigins?: string[];
  logger?: FastifyServerOptions['logger'];
  /** The database the live progress stream LISTENs on (one connection per process); without it the stream answers 503. */
  databaseUrl?: string;
  /** Signs stream tokens (STREAM_TOKEN_SECRET); without it, a random secret of this process (a warning says so). */
  streamTokenSecret?: string;
  /** Milliseconds between the stream's keep-alive comments (15 s). */
  streamKeepAliveMs?: number;
  /** Task starts one account may make a minute (START_RATE_LIMIT_PER_MINUTE; 300). */
  startRateLimitPerMinute?: number;
  /** Live progress streams one account may have open on this process at once (20). */
  maxStreamsPerAccount?: number;
}

/** Task starts an account may make a minute unless told (START_RATE_LIMIT_PER_MINUTE's default). */
const DEFAULT_START_RATE_LIMIT_PER_MINUTE = 300;

/**
 * How long a path parameter may be before the router itself refuses it, in its own shape: far past
 * the 100 characters the request door allows, so that a long parameter reaches the door and is
 * refused naming it (a whole request line fits in Node's 16 KiB of headers).
 */
const ROUTER_MAX_PARAM_LENGTH = 16 * 1024;

/** Builds the HTTP API: external plugins, then the app's own, then routes (fastify/demo's order). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // The progress endpoint is polled every 1–2 s by every open modal: a line per request would
    // drown the log. Errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: ROUTER_MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
    // A caller's well-formed X-Request-Id, else a new UUID: every log line of the request carries it (reqId).
    genReqId: requestIdOf,
    requestIdHeader: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(requestIdPlugin);

  await app.register(cors, {
    origin: options.corsOrigins?.length ? options.corsOrigins : false,
    // Every method the API has (the plugin's default leaves out PUT, PATCH and DELETE).
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // A browser page reads the request id of an answer only if it is exposed.
    exposedHeaders: ['X-Request-Id'],
  });
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
  await app.register(tracingPlugin);
  await app.register(dependenciesPlugin, { prisma: options.prisma, temporal: options.temporal, taskQueue: options.taskQueue });
  await app.register(authPlugin);
  await app.register(requestDoorPlugin);
  await app.register(startRateLimitPlugin, { perMinute: options.startRateLimitPerMinute ?? DEFAULT_START_RATE_LIMIT_PER_MINUTE });
  await app.register(taskProgressPlugin, { databaseUrl: options.databaseUrl });
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
  await app.register(keywordRowRoutes);
  await app.register(clusterRowRoutes);
  await app.register(ideaRowRoutes);
  await app.register(writerTaskRowRoutes);
  await app.register(contentRowRoutes);
  await app.register(imageRowRoutes);
  await app.register(promptRoutes);
  const streamTokens = new StreamTokens(streamTokenSecret(options.streamTokenSecret, (message) => app.log.warn(message)));
  await app.register(taskProgressRoutes, { streamTokens });
  await app.register(taskStreamRoutes, {
    streamTokens,
    keepAliveMs: options.streamKeepAliveMs,
    maxStreamsPerAccount: options.maxStreamsPerAccount,
  });
  await app.register(taskRoutes);
  await app.register(sectorRoutes);
  await app.register(aiTaskLogRoutes);
  await app.register(aiFunctionListRoutes);
  await app.register(pageRoutes);
  await app.register(accountRoutes, { defaultMaxConcurrentAiCalls: options.defaultMaxConcurrentAiCalls ?? DEFAULT_SLOT_POLICY.accountLimit });
  return app;
}
