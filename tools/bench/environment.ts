import { DEV_SERVER_DYNAMIC_CONFIG, DEV_SERVER_SQLITE_PRAGMAS } from '../temporal-cli/dev-server-settings';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
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
import { ensureBuild } from '../build/ensure-cli';
import { DIST_DIR } from '../build/paths';
import { startTemporalDevServer } from '../temporal-cli/dev-server';
import { freePort } from '../net/ports';
import { CpuMeter, listeningPortsOf, pidListeningOn, type ProcessGroups } from './cpu';

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
  /** Replaces the worker process with a fresh one, with `extraEnv` over the bench's settings. */
  restartWorker(extraEnv?: NodeJS.ProcessEnv): Promise<void>;
  /** Starts another worker or API process on the same Temporal and PostgreSQL; answers its URL (API) and a stop. */
  startExtra(kind: 'worker' | 'api'): Promise<{ url?: string; stop(): Promise<void> }>;
  /** The processes of each role, for CPU figures (each with everything under it). */
  processes(): ProcessGroups;
  /** CPU time of each of those roles (and of the bench process itself). */
  cpu: CpuMeter;
  /** What the systems measured are configured with: Redis persistence, the dev server's SQLite pragmas and dynamic config. */
  systems: Record<string, unknown>;
  /** The dev server's Prometheus text (its /metrics endpoint), when it runs on this machine. */
  temporalMetrics(): Promise<string | undefined>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 180_000;
/** AI calls in flight per account unless an account says otherwise: more than any scenario holds. */
export const BENCH_ACCOUNT_LIMIT = 100_000;

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
    const systems: Record<string, unknown> = { redis: await redisPersistence(redisUrl) };
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
      systems.temporalDevServer = { sqlitePragmas: pragmas.length ? pragmas : DEV_SERVER_SQLITE_PRAGMAS, dynamicConfig: { ...DEV_SERVER_DYNAMIC_CONFIG, ...dynamicConfig } };
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
      ACCOUNT_MAX_CONCURRENT_AI_CALLS: String(BENCH_ACCOUNT_LIMIT),
      // The operator's part: the worker (and the peer) may call the demo provider.
      AI_PROVIDER_ALLOWED_HOSTS: [process.env.AI_PROVIDER_ALLOWED_HOSTS, new URL(provider.url).host].filter(Boolean).join(','),
    };
    // The worker and the API as production runs them: the compiled build, with its prebuilt workflow bundle.
    await ensureBuild(say);
    const workerEntry = path.join(DIST_DIR, 'worker/main.js');
    const apiEntry = path.join(DIST_DIR, 'api/server.js');
    let worker = await startService('worker', workerEntry, env, 'Worker polling');
    stops.push(() => worker.stop());
    const api = await startService('api', apiEntry, env, 'API listening');
    stops.push(api.stop);
    const peer = await startService('peer', path.join(__dirname, 'peer-worker.ts'), env, 'peer ready');
    stops.push(peer.stop);
    const extras = { worker: new Set<ServiceProcess>(), api: new Set<ServiceProcess>() };
    stops.push(async () => {
      for (const extra of [...extras.worker, ...extras.api]) await extra.stop();
    });

    // Whose CPU is whose: PostgreSQL's server process is the parent of this connection's backend.
    const [{ pid: backendPid }] = await prisma.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`;
    const postgresPid = parentOf(backendPid);
    const temporalPid = pidListeningOn(Number(new URL(`http://${temporalAddress}`).port));
    const redisPid = systems.redis && typeof (systems.redis as { processId?: number }).processId === 'number' ? (systems.redis as { processId: number }).processId : undefined;
    const temporalPorts = new Set([Number(new URL(`http://${temporalAddress}`).port)]);
    let metricsUrl: string | undefined | null = null;
    const known = (pids: Array<number | undefined>) => pids.filter((pid): pid is number => typeof pid === 'number');
    const processes = (): ProcessGroups => ({
      worker: known([worker.child.pid, ...[...extras.worker].map((w) => w.child.pid)]),
      api: known([api.child.pid, ...[...extras.api].map((a) => a.child.pid)]),
      peer: known([peer.child.pid]),
      temporal: known([temporalPid]),
      postgres: known([postgresPid]),
      redis: known([redisPid]),
    });

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
      async restartWorker(extraEnv = {}) {
        await worker.stop();
        worker = await startService('worker', workerEntry, { ...env, ...extraEnv }, 'Worker polling');
      },
      async startExtra(kind) {
        const n = extras[kind].size + 2;
        const extraPort = kind === 'api' ? await freePort() : undefined;
        const extraEnv = extraPort ? { ...env, PORT: String(extraPort) } : env;
        const started = await startService(`${kind}-${n}`, kind === 'api' ? apiEntry : workerEntry, extraEnv, kind === 'api' ? 'API listening' : 'Worker polling');
        extras[kind].add(started);
        return {
          ...(extraPort ? { url: `http://127.0.0.1:${extraPort}` } : {}),
          async stop() {
            await started.stop();
            extras[kind].delete(started);
          },
        };
      },
      processes,
      cpu: new CpuMeter(processes),
      systems,
      async temporalMetrics() {
        if (metricsUrl === null) metricsUrl = temporalPid ? await findMetricsUrl(temporalPid, temporalPorts) : undefined;
        if (!metricsUrl) return undefined;
        const answer = await fetch(metricsUrl).catch(() => undefined);
        return answer?.ok ? answer.text() : undefined;
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

/** Redis's persistence settings (`appendonly`, `appendfsync`, `save`) and its process id. */
async function redisPersistence(redisUrl: string): Promise<Record<string, unknown>> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const settings: Record<string, unknown> = {};
    for (const name of ['appendonly', 'appendfsync', 'save']) {
      const pair = (await redis.config('GET', name).catch(() => [])) as string[];
      settings[name] = pair[1] ?? null;
    }
    const processId = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
    return { ...settings, ...(processId ? { processId: Number(processId) } : {}) };
  } finally {
    redis.disconnect();
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]) || undefined;
  } catch {
    return undefined;
  }
}

/** The dev server picks a free port for /metrics: the one of its listening ports that answers with Temporal's metrics. */
async function findMetricsUrl(pid: number, skip: Set<number>): Promise<string | undefined> {
  for (const port of listeningPortsOf(pid)) {
    if (skip.has(port)) continue;
    const url = `http://127.0.0.1:${port}/metrics`;
    const answer = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (answer?.ok && (await answer.text()).includes('service_requests')) return url;
  }
  return undefined;
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
