import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createPrismaClient, type PrismaClient } from '../../db/client';
import { createTestDatabase, type TestDatabase } from './test-database';
import { startDemoProvider, type DemoProvider } from '../../tools/demo-provider/server';
import { createAIWorker } from '../../worker/create-worker';
import { startReconciler } from '../../worker/reconciler';
import { providerHostPolicy } from '../../activities/provider-hosts';
import { connectTemporalClient } from '../../temporal/client';
import { buildApp } from '../../api/app';
import { createAccount, type NewAccountOptions } from '../../api/services/accounts';
import type { SlotPolicy } from '../../activities/ai-call-slots';
import type { TaskProgress } from '../../pipeline/progress';
import { OPENAI_TEST_KEY } from './provider-keys';
import { appendSuiteLog } from './suite-log';
import { installTestRuntime } from './worker-logs';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

export interface TestAccount {
  accountId: number;
  apiKey: string;
  sectorId: number;
}

export interface TestStack {
  baseUrl: string;
  /** The suite's own database (a second API process can be pointed at it). */
  databaseUrl: string;
  prisma: PrismaClient;
  temporal: Client;
  provider: DemoProvider;
  taskQueue: string;
  /** A real HTTP request to the listening API. */
  api<T = any>(method: string, path: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiAnswer<T>>;
  /** An account with its start credits (or those given) and its own limit of AI calls in flight, if given. */
  createAccount(name?: string, options?: NewAccountOptions): Promise<TestAccount>;
  /** Points the account's `openai` integration at the demo provider. */
  configureOpenAI(account: TestAccount, config?: Record<string, unknown>): Promise<void>;
  /** Polls the progress endpoint until the task ends; returns every distinct answer seen. */
  waitForTask(account: TestAccount, taskId: string, options?: { timeoutMs?: number; intervalMs?: number }): Promise<TaskProgress[]>;
  stop(): Promise<void>;
}

export const TEST_PROVIDER_KEY = OPENAI_TEST_KEY;

/**
 * One suite's stack on real parts: its own database (on the shared PostgreSQL server), the demo
 * provider, a worker on its own task queue of the shared Temporal dev server, and the API listening
 * on a random port.
 */
export async function startTestStack(
  options: {
    providerIdleTimeoutMs?: number;
    streamKeepAliveMs?: number;
    slots?: SlotPolicy;
    /** Corrective re-asks of an unusable answer (AI_PARSE_REASKS; the worker's default, 1, when unset). */
    parseReasks?: number;
    /** STREAM_TOKEN_SECRET of the API; unset, it signs with a random secret of its own. */
    streamTokenSecret?: string;
    /** START_RATE_LIMIT_PER_MINUTE of the API (300). */
    startRateLimitPerMinute?: number;
    /** Runs the worker's reconciler of runs closed outside the service, as worker/main.ts does. */
    reconcile?: { everyMs: number; quietForMs: number };
  } = {},
): Promise<TestStack> {
  const address = requiredEnv('TEST_TEMPORAL_ADDRESS');
  const database: TestDatabase = await createTestDatabase();
  const prisma = createPrismaClient(database.url, { max: 5 });
  const provider = await startDemoProvider({ quiet: true });
  const taskQueue = `test-${randomUUID()}`;
  installTestRuntime();
  const connection = await NativeConnection.connect({ address });
  const worker: Worker = await createAIWorker({
    connection,
    namespace: 'default',
    taskQueue,
    prisma,
    workflowBundle: { codePath: requiredEnv('TEST_WORKFLOW_BUNDLE') },
    providerIdleTimeoutMs: options.providerIdleTimeoutMs ?? 10_000,
    // The operator's part, as `npm start` plays it: the demo provider's host:port is listed.
    providerHosts: providerHostPolicy([new URL(provider.url).host]),
    ...(options.slots ? { slots: options.slots } : {}),
    ...(options.parseReasks !== undefined ? { parseReasks: options.parseReasks } : {}),
  });
  const workerRun = worker.run();
  const temporal = await connectTemporalClient(address, 'default');
  const reconciler = options.reconcile ? startReconciler({ prisma, temporal, ...(options.slots ? { slots: options.slots } : {}) }, options.reconcile) : undefined;
  const app: FastifyInstance = await buildApp({
    prisma,
    temporal,
    taskQueue,
    databaseUrl: database.url,
    streamKeepAliveMs: options.streamKeepAliveMs,
    streamTokenSecret: options.streamTokenSecret,
    startRateLimitPerMinute: options.startRateLimitPerMinute,
    // The API logs as in production (provider keys redacted); the lines go to the suite log only.
    logger: { level: 'info', stream: { write: (line: string) => appendSuiteLog(line) } },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const api = apiClient(baseUrl);

  const stack: TestStack = {
    baseUrl,
    databaseUrl: database.url,
    prisma,
    temporal,
    provider,
    taskQueue,
    api,
    createAccount: (name = `account-${randomUUID().slice(0, 8)}`, options) => createAccount(prisma, name, options),
    async configureOpenAI(account, config = {}) {
      const answer = await api('PUT', '/api/v1/system/settings/integrations/openai/', {
        key: account.apiKey,
        body: { config: { apiKey: TEST_PROVIDER_KEY, model: 'gpt-4o-mini', baseUrl: `${provider.url}/v1`, ...config }, is_active: true },
      });
      if (answer.status !== 200) throw new Error(`configuring OpenAI failed: ${JSON.stringify(answer.body)}`);
    },
    async waitForTask(account, taskId, { timeoutMs = 60_000, intervalMs = 50 } = {}) {
      const seen: TaskProgress[] = [];
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const answer = await api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
        if (answer.status !== 200) throw new Error(`progress answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        // stream_url's token is issued afresh on every poll: it does not make an answer new.
        const { stream_url: _streamUrl, ...progress } = answer.body as TaskProgress & { stream_url?: string };
        const last = seen[seen.length - 1];
        if (!last || JSON.stringify(last) !== JSON.stringify(progress)) seen.push(progress);
        if (['SUCCESS', 'FAILURE', 'REVOKED'].includes(answer.body.state)) return seen;
        await new Promise((r) => setTimeout(r, intervalMs));
      }
      throw new Error(`task ${taskId} did not finish within ${timeoutMs} ms; last: ${JSON.stringify(seen[seen.length - 1])}`);
    },
    async stop() {
      await reconciler?.stop();
      await app.close();
      worker.shutdown();
      await workerRun;
      await connection.close();
      await temporal.connection.close();
      await provider.close();
      await prisma.$disconnect();
      await database.drop();
    },
  };
  return stack;
}

/** Real HTTP requests to an API at `baseUrl`, answering status and (JSON-decoded when it is JSON) body. */
export function apiClient(baseUrl: string): TestStack['api'] {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the test sees the text
    }
    return { status: response.status, body: body as never };
  };
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through jest (test/support/global-setup.ts sets it)`);
  return value;
}
