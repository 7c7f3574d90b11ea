import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { faultStackForSuite } from './fault-stack';
import { localActivityRuns } from '../support/history-steps';
import { expectClusteredOnce, reportRecovery, within } from './fault-checks';

jest.setTimeout(120_000);

const OUTAGE_MS = 5_000;
const suite = faultStackForSuite();
let proxy: TcpProxy;

beforeAll(async () => {
  const database = new URL(suite().databaseUrl);
  proxy = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
});

afterAll(async () => {
  await proxy?.close();
});

/** The same database, reached through the proxy the test controls. */
function throughProxy(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}

test('PostgreSQL unavailable for a while in the middle of the save: the save is retried and the task completes with no partial rows', async () => {
  const stack = suite();
  const marker = 'alpine hiking boots';
  const account = await stack.createAccount('Database outage');
  const keywordIds = await stack.createKeywords(account, [marker, 'hiking boots for wide feet', 'lightweight hiking boots', 'boot waxing guide']);
  const worker = await stack.startWorker({ identity: 'worker-behind-proxy', databaseUrl: throughProxy(stack.databaseUrl) });

  // The save's transaction has created its clusters when it links the keywords: the outage starts
  // there, so a save that is not one transaction would leave clusters without keywords.
  const outage = proxy.interruptOn('UPDATE keywords k SET cluster_id', OUTAGE_MS);
  const taskId = await stack.startClustering(account, keywordIds);
  const cutAt = await within('the save reaches the database', outage, 60_000);

  // While the database is away from the worker: the run is past its AI call (its step parses and
  // saves), and nothing of the save is visible.
  const during = await stack.progress(account, taskId);
  expect(during.status).toBe(200);
  expect(during.body).toMatchObject({ state: 'PROGRESS' });
  expect(['PARSE', 'SAVE']).toContain(during.body.meta.phase);
  expect(proxy.isDown()).toBe(true);
  expect(await stack.prisma.cluster.count({ where: { accountId: account.accountId } })).toBe(0);
  expect((await stack.prisma.aIRequest.findFirstOrThrow({ where: { taskId } })).saved).toBeNull();
  const acceptedBefore = proxy.connectionsAccepted();

  const final = await stack.waitForTask(account, taskId, { timeoutMs: 90_000 });
  reportRecovery(`PostgreSQL unavailable ${OUTAGE_MS / 1000} s during SAVE`, cutAt);

  const { events } = await expectClusteredOnce(stack, { taskId, final, accountId: account.accountId, keywordIds, marker });
  // Retries after a backoff wait on a durable timer, so each failed attempt left its marker; the
  // last attempt saved.
  const saves = localActivityRuns(events, 'finishItem');
  const save = saves[saves.length - 1];
  expect(save).toMatchObject({ closedAs: 'completed', attempt: saves.length });
  expect(save.attempt).toBeGreaterThanOrEqual(2);
  expect(saves.slice(0, -1).map((s) => s.closedAs)).toEqual(saves.slice(0, -1).map(() => 'failed'));
  // The retry that succeeded ended after the outage, on a new connection.
  expect(save.closedAt - cutAt).toBeGreaterThanOrEqual(OUTAGE_MS - 500);
  expect(proxy.connectionsAccepted()).toBeGreaterThan(acceptedBefore);
  // The worker rode out the outage: it is the same process, still running.
  expect(worker.hasExited()).toBe(false);

  expect(await worker.stop()).toEqual({ code: 0, signal: null });
});
