import { localActivityRuns } from '../support/history-steps';
import { faultStackForSuite } from './fault-stack';
import { chatCallsFor, expectClusteredOnce, reportRecovery, runsOf, waitUntil, within } from './fault-checks';

// A killed worker's step is noticed by the server only when its timeout passes: the heartbeat
// timeout (20 s) for the provider call, start-to-close for a database step.
jest.setTimeout(180_000);

const suite = faultStackForSuite();

test('a worker killed (SIGKILL) while the provider holds its AI call open: a new worker finishes the task', async () => {
  const stack = suite();
  const marker = 'cobalt trail shoes';
  const account = await stack.createAccount('Killed during the call');
  const keywordIds = await stack.createKeywords(account, [marker, 'trail shoes for mud', 'waterproof trail shoes']);
  stack.provider.enqueue({ hang: true, match: marker });

  const first = await stack.startWorker({ identity: 'worker-killed-during-call' });
  const taskId = await stack.startClustering(account, keywordIds);
  await waitUntil('the provider holds the AI call', () => chatCallsFor(stack.provider, marker).length === 1);
  const killedAt = Date.now();
  expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

  const second = await stack.startWorker({ identity: 'worker-after-kill' });
  const final = await stack.waitForTask(account, taskId, { timeoutMs: 120_000 });
  reportRecovery('worker killed during the AI call', killedAt);

  const { events } = await expectClusteredOnce(stack, { taskId, final, accountId: account.accountId, keywordIds, marker });
  expect(chatCallsFor(stack.provider, marker).map((c) => c.outcome)).toEqual(['hang', 'answer']);
  const [call] = runsOf(events, 'requestCompletion');
  expect(call).toMatchObject({ attempt: 2, identity: 'worker-after-kill', closedAs: 'completed' });
  expect(call.lastFailure).toMatch(/heartbeat/i);
  expect(await second.stop()).toEqual({ code: 0, signal: null });
});

test('a worker killed after the save committed, before the server heard of it: one set of rows', async () => {
  const stack = suite();
  const marker = 'granite climbing rope';
  const account = await stack.createAccount('Killed after the save');
  const keywordIds = await stack.createKeywords(account, [marker, 'dynamic climbing rope', 'static rope for rappelling']);

  // The fault hook makes this worker kill itself the moment the save transaction has committed.
  const first = await stack.startWorker({ identity: 'worker-dies-after-save', faultHook: 'kill-after-save-commit' });
  const taskId = await stack.startClustering(account, keywordIds);
  expect(await within('the worker kills itself after the save', first.exited, 60_000)).toEqual({ code: null, signal: 'SIGKILL' });
  const diedAt = Date.now();

  // The rows are committed while the run itself does not know yet.
  const request = await stack.prisma.aIRequest.findFirstOrThrow({ where: { taskId } });
  expect(request.saved).not.toBeNull();
  const clustersAtDeath = await stack.prisma.cluster.count({ where: { accountId: account.accountId } });
  expect(clustersAtDeath).toBeGreaterThan(0);
  expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } })).status).toBe('pending');

  const second = await stack.startWorker({ identity: 'worker-after-save-kill' });
  const final = await stack.waitForTask(account, taskId, { timeoutMs: 150_000 });
  reportRecovery('worker killed after the save committed', diedAt);

  const { events, clusters } = await expectClusteredOnce(stack, { taskId, final, accountId: account.accountId, keywordIds, marker });
  expect(clusters).toBe(clustersAtDeath);
  expect(final.result).toMatchObject((request.saved as { counters: object }).counters);
  expect(await stack.prisma.creditUsageLog.count({ where: { taskId, kind: 'charge' } })).toBe(1);
  expect(chatCallsFor(stack.provider, marker)).toHaveLength(1);
  // The save is a local activity: the dead worker's workflow task timed out, and the next worker
  // ran the save again, which found its outcome recorded and wrote nothing.
  expect(events.some((e) => e.workflowTaskTimedOutEventAttributes)).toBe(true);
  expect(localActivityRuns(events, 'finishItem')).toEqual([expect.objectContaining({ identity: 'worker-after-save-kill', closedAs: 'completed' })]);
  expect(await second.stop()).toEqual({ code: 0, signal: null });
});
