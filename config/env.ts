import { z } from 'zod';

/** The service's environment, read once and checked, so a typo fails at start with its name. */
const envSchema = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (postgresql://user:pass@host:5432/db)'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('ai-tasks'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /** Activities one worker runs at once; AI calls mostly wait on the provider, so this can be high. */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(200),
  /** Workflow tasks one worker runs at once (the SDK's default when unset). */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().optional(),
  /** Runs kept in the worker's cache between workflow tasks (the SDK's default when unset). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().optional(),
  /** A prebuilt workflow bundle for the worker (the compiled worker finds the one `npm run build` wrote). */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  AI_PROVIDER_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Signs the progress stream's tokens; unset, a secret derived from DATABASE_URL (set it in production). */
  STREAM_TOKEN_SECRET: z.string().min(16, 'STREAM_TOKEN_SECRET must be at least 16 characters').optional(),
});

export type ServiceEnv = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}
