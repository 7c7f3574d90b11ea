import { DEV_SERVER_SQLITE_PRAGMAS } from '../temporal-cli/dev-server-settings';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import IORedis from 'ioredis';
import type { Client } from '@temporalio/client';
import { createPrismaClient, type PrismaClient } from '../../db/client';
import { createDatabase, dropDatabase, redactPassword, withDatabase } from '../../db/database-admin';
import { startEmbeddedPostgres } from '../embedded-postgres/embedded-postgres';
import { applyMigrations } from '../../db/migrate';
import { connectTemporalClient } from '../../temporal/client';
import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import { startServiceProcess, type ServiceProcess } from '../launcher/children';
import { startTemporalDevServer } from '../temporal-cli/dev-server';
import { freePort } from '../net/ports';

export const projectRoot = path.resolve(__dirname, '../..');
export const benchDir = path.join(projectRoot, '.data', 'bench');

export interface BenchEnvironment {
  databaseUrl: string;
  temporalAddress: string;
  redisUrl: string;
  apiUrl: string;
  taskQueue: string;
  queueName: string;
  prisma: PrismaClient;
  temporal: Client;
  provider: DemoProvider;
  /** The Temporal worker process (pid for its RSS). */
  worker(): ServiceProcess;
  /** Replaces the worker process with a fresh one. */
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 180_000;

/**
 * Everything the benchmark measures, started the way `npm start` starts it: PostgreSQL (embedded
 * under .data/bench/postgres unless DATABASE_URL is set; either way a database of its own, dropped
 * at the end), a Temporal dev server on a fresh database file (unless TEMPORAL_ADDRESS is set), the
 * worker and the API as their own processes, the demo provider answering in 0 ms, and the BullMQ
 * peer's worker process on the machine's Redis.
 */
export async function startBenchEnvironment(say: (line: string) => void): Promise<BenchEnvironment> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((err) => say(`while stopping: ${err instanceof Error ? err.message : err}`));
    stops.length = 0;
  };
  try {
    mkdirSync(path.join(benchDir, 'logs'), { recursive: true });
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    await assertRedis(redisUrl);

    let serverUrl = process.env.DATABASE_URL;
    if (serverUrl) {
      say(`PostgreSQL: ${redactPassword(serverUrl)} (a database of the benchmark's own on that server)`);
    } else {
      const postgres = await startEmbeddedPostgres({ dataDir: path.join(benchDir, 'postgres'), port: await freePort() });
      stops.push(postgres.stop);
      serverUrl = postgres.databaseUrl;
      say('PostgreSQL: embedded (.data/bench/postgres)');
    }
    const databaseUrl = withDatabase(serverUrl, `ai_tasks_bench_${process.pid}`);
    await createDatabase(databaseUrl);
    stops.push(() => dropDatabase(databaseUrl));
    await applyMigrations(databaseUrl, { log: () => undefined });

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (temporalAddress) {
      say(`Temporal: ${temporalAddress}`);
    } else {
      const dataDir = path.join(benchDir, 'temporal');
      rmSync(dataDir, { recursive: true, force: true });
      const pragmas = listSetting('BENCH_SQLITE_PRAGMAS');
      // `key=value,…` over the dev server's own dynamic config, to measure one change at a time.
      const dynamicConfig = Object.fromEntries(
        listSetting('BENCH_TEMPORAL_DYNAMIC_CONFIG').map((pair) => {
          const [key, value = ''] = pair.split('=');
          return [key, parseValue(value)];
        }),
      );
      const server = await startTemporalDevServer({
        projectRoot,
        dataDir,
        port: await freePort(),
        uiPort: await freePort(),
        allowBuild: true,
        // Unset, the dev server's own (DEV_SERVER_SQLITE_PRAGMAS), as under npm start.
        ...(pragmas.length ? { sqlitePragmas: pragmas } : {}),
        dynamicConfig,
        log: say,
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      const changes = [...(pragmas.length ? pragmas : DEV_SERVER_SQLITE_PRAGMAS), ...Object.entries(dynamicConfig).map(([k, v]) => `${k}=${v}`)];
      say(`Temporal: dev server on a fresh database file${changes.length ? ` (with ${changes.join(', ')})` : ''}, Web UI ${server.uiUrl}`);
    }

    const provider = await startDemoProvider({ quiet: true, defaultDelayMs: 0 });
    stops.push(provider.close);
    const prisma = createPrismaClient(databaseUrl, { max: 20 });
    stops.push(() => prisma.$disconnect());
    const temporal = await connectTemporalClient(temporalAddress, 'default');
    stops.push(() => temporal.connection.close());

    const taskQueue = `bench-${process.pid}`;
    const queueName = `ai-bench-${process.pid}`;
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      BENCH_QUEUE: queueName,
      // The bench starts more tasks a minute than one account may by default.
      START_RATE_LIMIT_PER_MINUTE: '1000000',
      // …and holds more tasks in their AI call at once than one account's default slots allow.
      ACCOUNT_MAX_CONCURRENT_AI_CALLS: '100000',
      // The operator's part: the worker (and the peer) may call the demo provider.
      AI_PROVIDER_ALLOWED_HOSTS: [process.env.AI_PROVIDER_ALLOWED_HOSTS, new URL(provider.url).host].filter(Boolean).join(','),
    };
    let worker = await startService('worker', path.join(projectRoot, 'worker/main.ts'), env, 'Worker polling');
    stops.push(() => worker.stop());
    const api = await startService('api', path.join(projectRoot, 'api/server.ts'), env, 'API listening');
    stops.push(api.stop);
    const peer = await startService('peer', path.join(__dirname, 'peer-worker.ts'), env, 'peer ready');
    stops.push(peer.stop);

    return {
      databaseUrl,
      temporalAddress,
      redisUrl,
      apiUrl: `http://127.0.0.1:${port}`,
      taskQueue,
      queueName,
      prisma,
      temporal,
      provider,
      worker: () => worker,
      async restartWorker() {
        await worker.stop();
        worker = await startService('worker', path.join(projectRoot, 'worker/main.ts'), env, 'Worker polling');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts one of the processes and waits for its ready line; its output goes to .data/bench/logs. */
async function startService(name: string, entry: string, env: NodeJS.ProcessEnv, readyLine: string): Promise<ServiceProcess> {
  const logFile = path.join(benchDir, 'logs', `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  let markReady!: () => void;
  let markFailed!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  let up = false;
  const service = startServiceProcess(
    name,
    entry,
    env,
    (code) => {
      const message = `The benchmark's ${name} process exited (code ${code}); see ${path.relative(projectRoot, logFile)}`;
      if (!up) markFailed(new Error(message));
      else {
        console.error(message);
        process.exitCode = 1;
      }
    },
    (line) => {
      log.write(`${line}\n`);
      if (!up && line.includes(readyLine)) {
        up = true;
        markReady();
      }
    },
  );
  const timer = setTimeout(() => markFailed(new Error(`The benchmark's ${name} process was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  try {
    await ready;
  } catch (err) {
    await service.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return service;
}

async function assertRedis(redisUrl: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `The benchmark's BullMQ peer needs Redis at ${redisUrl}, which did not answer (${err instanceof Error ? err.message : err}). ` +
        'Start Redis (e.g. `redis-server`, or `docker run -p 6379:6379 redis:7`) or set REDIS_URL.',
    );
  } finally {
    redis.disconnect();
  }
}

function listSetting(name: string): string[] {
  return (process.env[name] ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

function parseValue(value: string): string | number | boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'number' || typeof parsed === 'boolean' || typeof parsed === 'string') return parsed;
  } catch {
    // a plain string
  }
  return value;
}
