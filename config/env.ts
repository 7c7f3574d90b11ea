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
  /** `production` makes secrets that have development fallbacks required (STREAM_TOKEN_SECRET). */
  NODE_ENV: z.string().optional(),
  /**
   * Signs the progress stream's tokens: a random secret, the same in every API process. Required
   * when NODE_ENV=production; `npm start` generates one under its data directory.
   */
  STREAM_TOKEN_SECRET: z.string().min(32, 'STREAM_TOKEN_SECRET must be at least 32 characters (a random secret)').optional(),
  /**
   * Provider hosts the worker may call beyond the providers' public HTTPS APIs: `host` or
   * `host:port`, comma-separated (a self-hosted OpenAI-compatible server, the demo provider).
   * Loopback, link-local and private addresses are refused unless listed here.
   */
  AI_PROVIDER_ALLOWED_HOSTS: z.string().default(''),
  /** Task starts one account may make a minute (429 with Retry-After beyond). */
  START_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(300),
  /** How long the live-progress rows of an ended task are kept: `7d`, `12h`, `30m`, `45s`. */
  TASK_EVENTS_RETENTION: duration('TASK_EVENTS_RETENTION').default(7 * 24 * 3600 * 1000),
  /** AI calls one account may have in flight at once, across its tasks and all workers (an account's own setting wins). */
  ACCOUNT_MAX_CONCURRENT_AI_CALLS: z.coerce.number().int().positive().default(4),
  /** AI calls in flight at once over all accounts, shared round-robin among the accounts that wait; unset: no overall cap. */
  AI_CALLS_MAX_IN_FLIGHT: z.coerce.number().int().positive().optional(),
  /** Credits a new account starts with. */
  ACCOUNT_START_CREDITS: z.coerce.number().int().nonnegative().default(1000),
  /** Corrective re-asks when a model's answer is not the JSON asked for (0 turns them off). */
  AI_PARSE_REASKS: z.coerce.number().int().min(0).max(3).default(1),
});

/** `7d`, `12h`, `30m`, `45s` (or a number of milliseconds) as milliseconds. */
function duration(name: string) {
  const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return z
    .string()
    .regex(/^\d+(ms|s|m|h|d)?$/, `${name} must be a duration like 7d, 12h, 30m or 45s`)
    .transform((value) => {
      const [, amount, unit] = /^(\d+)(ms|s|m|h|d)?$/.exec(value)!;
      return Number(amount) * (unit && unit !== 'ms' ? units[unit] : 1);
    });
}

export type ServiceEnv = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

/** `a.example.com, b.example.com:8443` → its entries, trimmed; empty entries dropped. */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
