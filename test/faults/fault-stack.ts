import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createPrismaClient, type PrismaClient } from '../../db/client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startDemoProvider, type DemoProvider } from '../../tools/demo-provider/server';
import { connectTemporalClient } from '../../temporal/client';
import { buildApp } from '../../api/app';
import { createAccount, type NewAccountOptions } from '../../api/services/accounts';
import type { TaskProgress } from '../../pipeline/progress';
import { apiClient, requiredEnv, TEST_PROVIDER_KEY, type ApiAnswer, type TestAccount } from '../support/stack';
import { startWorkerProcess, type WorkerProcess, type WorkerProcessOptions } from '../support/worker-process';

/** What a fault test runs on: the suite's own database, demo provider and API; workers are processes it can kill. */
export interface FaultStack {
  databaseUrl: string;
  prisma: PrismaClient;
  temporal: Client;
  temporalAddress: string;
  provider: DemoProvider;
  taskQueue: string;
  api<T = any>(method: string, path: string, options?: { key?: string; body?: unknown }): Promise<ApiAnswer<T>>;
  /** An account whose `openai` settings point at the demo provider (with its own AI-call limit if given). */
  createAccount(name?: string, options?: NewAccountOptions): Promise<TestAccount>;
  /** A worker process on this stack's task queue; the stack kills any left when it stops. */
  startWorker(options: Pick<WorkerProcessOptions, 'identity'> & Partial<WorkerProcessOptions>): Promise<WorkerProcess>;
  /** Stops every worker process still running (after each test, so none serves the next one). */
  stopWorkers(): Promise<void>;
  progress(account: TestAccount, taskId: string): Promise<ApiAnswer<TaskProgress & { error?: string }>>;
  /**
   * Polls the progress endpoint until the task ends; every answer (503s included) goes to `onAnswer`.
   * Answers other than 200 and 503 fail at once: a running task is never "not found".
   */
  waitForTask(account: TestAccount, taskId: string, options?: { timeoutMs?: number; onAnswer?: (answer: ApiAnswer) => void }): Promise<TaskProgress>;
  createKeywords(account: TestAccount, keywords: string[]): Promise<number[]>;
  startClustering(account: TestAccount, ids: number[]): Promise<string>;
  stop(): Promise<void>;
}

const TERMINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];

/**
 * One fault stack for the suite: started before its tests, its worker processes stopped after each
 * test (so none serves the next one), the whole stack stopped at the end. `options` is read when
 * the suite starts (a suite may start its own Temporal server first).
 */
export function faultStackForSuite(options: () => { temporalAddress?: string } = () => ({})): () => FaultStack {
  let stack: FaultStack | undefined;
  beforeAll(async () => {
    stack = await startFaultStack(options());
  });
  afterEach(async () => {
    await stack?.stopWorkers();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error('the fault stack did not start');
    return stack;
  };
}

export async function startFaultStack(options: { temporalAddress?: string } = {}): Promise<FaultStack> {
  const temporalAddress = options.temporalAddress ?? requiredEnv('TEST_TEMPORAL_ADDRESS');
  const workflowBundle = requiredEnv('TEST_WORKFLOW_BUNDLE');
  const database: TestDatabase = await createTestDatabase();
  const prisma = createPrismaClient(database.url, { max: 5 });
  const provider = await startDemoProvider({ quiet: true });
  const taskQueue = `faults-${randomUUID()}`;
  const temporal = await connectTemporalClient(temporalAddress, 'default');
  const app: FastifyInstance = await buildApp({ prisma, temporal, taskQueue, databaseUrl: database.url });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const workers: WorkerProcess[] = [];

  const api: FaultStack['api'] = apiClient(baseUrl);

  const stack: FaultStack = {
    databaseUrl: database.url,
    prisma,
    temporal,
    temporalAddress,
    provider,
    taskQueue,
    api,
    async createAccount(name = `account-${randomUUID().slice(0, 8)}`, accountOptions) {
      const account = await createAccount(prisma, name, accountOptions);
      const answer = await api('PUT', '/api/v1/system/settings/integrations/openai/', {
        key: account.apiKey,
        body: { config: { apiKey: TEST_PROVIDER_KEY, model: 'gpt-4o-mini', baseUrl: `${provider.url}/v1` }, is_active: true },
      });
      if (answer.status !== 200) throw new Error(`configuring OpenAI failed: ${JSON.stringify(answer.body)}`);
      return account;
    },
    async startWorker(worker) {
      // The operator's part: the stack's demo provider is listed in the worker's AI_PROVIDER_ALLOWED_HOSTS.
      const allowedProviderHosts = [new URL(provider.url).host];
      const started = await startWorkerProcess({ databaseUrl: database.url, temporalAddress, taskQueue, workflowBundle, allowedProviderHosts, ...worker });
      workers.push(started);
      return started;
    },
    async stopWorkers() {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    },
    progress: (account, taskId) => api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey }),
    async waitForTask(account, taskId, { timeoutMs = 90_000, onAnswer } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last: ApiAnswer | undefined;
      while (Date.now() < deadline) {
        last = await stack.progress(account, taskId);
        onAnswer?.(last);
        if (last.status !== 200 && last.status !== 503) throw new Error(`progress answered ${last.status}: ${JSON.stringify(last.body)}`);
        if (last.status === 200 && TERMINAL.includes(last.body.state)) return last.body;
        await new Promise((r) => setTimeout(r, 200));
      }
      const said = workers.map((w) => `--- ${w.identity}${w.hasExited() ? ' (exited)' : ''}:\n${w.output()}`).join('\n');
      throw new Error(`task ${taskId} did not finish within ${timeoutMs} ms; last answer: ${JSON.stringify(last)}\n${said}`);
    },
    async createKeywords(account, keywords) {
      const body = { keywords: keywords.map((keyword, i) => ({ keyword, volume: 1000 + i * 100, difficulty: 30, intent: 'commercial' })) };
      const answer = await api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body });
      if (answer.status !== 200) throw new Error(`creating keywords failed: ${JSON.stringify(answer.body)}`);
      return answer.body.ids;
    },
    async startClustering(account, ids) {
      const answer = await api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: account.apiKey, body: { ids } });
      if (answer.status !== 200) throw new Error(`starting auto_cluster failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.task_id;
    },
    async stop() {
      await stack.stopWorkers();
      await app.close();
      await temporal.connection.close();
      await provider.close();
      await prisma.$disconnect();
      await database.drop();
    },
  };
  return stack;
}
