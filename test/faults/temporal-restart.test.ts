import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTemporalDevServer } from '../../tools/temporal-cli/dev-server';
import type { RunningDevServer } from '../../tools/temporal-cli/dev-server-settings';
import { freePort } from '../../tools/net/ports';
import type { ApiAnswer } from '../support/stack';
import { faultStackForSuite } from './fault-stack';
import { chatCallsFor, expectClusteredOnce, reportRecovery, waitUntil } from './fault-checks';

jest.setTimeout(150_000);

const projectRoot = path.resolve(__dirname, '../..');
const DOWN_MS = 6_000;

// This suite's own dev server, so stopping it disturbs no other suite.
let dataDir: string;
let ports: { port: number; uiPort: number };
let server: RunningDevServer | undefined;

function startServer(): Promise<RunningDevServer> {
  return startTemporalDevServer({ projectRoot, dataDir, ...ports });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ai-tasks-restart-'));
  ports = { port: await freePort(), uiPort: await freePort() };
  server = await startServer();
});

// Its hooks are declared between the server's: the stack starts after the server and stops before it.
const suite = faultStackForSuite(() => ({ temporalAddress: server!.address }));

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the Temporal dev server stopped and restarted on the same database mid-run: the task completes; progress answers 503 meanwhile, never 404', async () => {
  const stack = suite();
  const marker = 'carbon road bike';
  const account = await stack.createAccount('Temporal restart');
  const keywordIds = await stack.createKeywords(account, [marker, 'road bike sizing', 'best road bike tyres']);
  // The provider answers while the server is away: the worker must hand the result over afterwards.
  stack.provider.enqueue({ delayMs: 4_000, match: marker });
  const worker = await stack.startWorker({ identity: 'worker-across-restart' });
  const taskId = await stack.startClustering(account, keywordIds);
  await waitUntil('the provider has the AI call', () => chatCallsFor(stack.provider, marker).length === 1);
  expect((await stack.progress(account, taskId)).body).toMatchObject({ state: 'PROGRESS', meta: { phase: 'AI_CALL' } });

  const stoppedAt = Date.now();
  await server!.stop();
  server = undefined;
  const whileDown: ApiAnswer[] = [];
  while (Date.now() - stoppedAt < DOWN_MS) whileDown.push(await stack.progress(account, taskId));
  server = await startServer();
  const restartedAt = Date.now();

  const afterRestart: ApiAnswer[] = [];
  const final = await stack.waitForTask(account, taskId, { timeoutMs: 120_000, onAnswer: (a) => afterRestart.push(a) });
  reportRecovery(`Temporal dev server restarted after ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s down (counted from the restart)`, restartedAt);

  expect(whileDown.length).toBeGreaterThan(0);
  for (const answer of whileDown) {
    expect(answer).toEqual({ status: 503, body: { success: false, error: expect.stringMatching(/Temporal is unreachable/), request_id: expect.any(String) } });
  }
  expect([...whileDown, ...afterRestart].filter((a) => a.status === 404)).toEqual([]);

  await expectClusteredOnce(stack, { taskId, final, accountId: account.accountId, keywordIds, marker });
  // The worker lived through the outage and finished the run itself.
  expect(worker.hasExited()).toBe(false);
  expect(await worker.stop()).toEqual({ code: 0, signal: null });
});
