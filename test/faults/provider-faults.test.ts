import { localActivityRuns, type LocalActivityRun } from '../support/history-steps';
import { CLUSTERS_EXPECTED } from '../../functions/auto-cluster/answer';
import type { TaskProgress } from '../../pipeline/progress';
import type { BehaviourInput } from '../../tools/demo-provider/behaviours';
import type { WorkerProcess } from '../support/worker-process';
import { faultStackForSuite } from './fault-stack';
import { chatCallsFor, expectClusteredOnce, expectSettledOnce, reportRecovery, runsOf, type ActivityRun } from './fault-checks';

jest.setTimeout(90_000);

const IDLE_TIMEOUT_MS = 3_000;
const suite = faultStackForSuite();
let worker: WorkerProcess;

beforeEach(async () => {
  // A call that sends nothing for this long counts as hung (production waits a minute).
  worker = await suite().startWorker({ identity: 'worker-provider-faults', providerIdleTimeoutMs: IDLE_TIMEOUT_MS });
});

afterEach(async () => {
  // Nothing is left running: the worker stops cleanly, having nothing in hand.
  expect(await worker.stop()).toEqual({ code: 0, signal: null });
});

interface FaultRun {
  final: TaskProgress;
  keywordIds: number[];
  accountId: number;
  calls: ReturnType<typeof chatCallsFor>;
  call: ActivityRun;
  parse: LocalActivityRun[];
}

/**
 * Clusters three keywords (the first one unique to the test) with `behaviour` queued for their AI
 * call, and checks the run settled once in `state` (with its clusters saved once on SUCCESS).
 */
async function clusterWith(marker: string, behaviour: BehaviourInput, state: 'SUCCESS' | 'FAILURE'): Promise<FaultRun> {
  const stack = suite();
  const account = await stack.createAccount(marker);
  const keywordIds = await stack.createKeywords(account, [marker, `${marker} reviews`, `cheap ${marker}`]);
  stack.provider.enqueue({ ...behaviour, match: marker });
  const taskId = await stack.startClustering(account, keywordIds);
  const final = await stack.waitForTask(account, taskId);
  const calls = chatCallsFor(stack.provider, marker);
  const run = { taskId, final, accountId: account.accountId, keywordIds, marker };
  const events =
    state === 'SUCCESS' ? (await expectClusteredOnce(stack, run)).events : await expectSettledOnce(stack, { taskId, final, state, providerCalls: calls });
  const [call] = runsOf(events, 'requestCompletion');
  return { final, keywordIds, accountId: account.accountId, calls, call, parse: localActivityRuns(events, 'finishItem') };
}

describe('transient provider faults are retried', () => {
  test('a 429 with Retry-After: 3 is retried no sooner than 3 s later', async () => {
    const run = await clusterWith('ultralight tent', { status: 429, retryAfter: 3 }, 'SUCCESS');
    expect(run.calls.map((c) => c.status)).toEqual([429, 200]);
    // The retry policy alone would wait 2 s; the provider asked for 3.
    expect(run.calls[1].at - run.calls[0].at).toBeGreaterThanOrEqual(3_000);
    expect(run.call).toMatchObject({ attempt: 2, closedAs: 'completed' });
    expect(run.call.lastFailure).toMatch(/rate limiting \(429\)/);
    expect(run.call.startedAt! - run.call.scheduledAt).toBeGreaterThanOrEqual(3_000);
    reportRecovery('provider 429 with Retry-After: 3', run.calls[0].at, run.calls[1].at + run.calls[1].durationMs!);
  });

  test('a 500 then a 200: retried, and the run succeeds', async () => {
    const run = await clusterWith('camping stove', { status: 500 }, 'SUCCESS');
    expect(run.calls.map((c) => c.status)).toEqual([500, 200]);
    expect(run.call).toMatchObject({ attempt: 2, closedAs: 'completed' });
    expect(run.call.lastFailure).toMatch(/failed \(500\)/);
    reportRecovery('provider 500', run.calls[0].at, run.calls[1].at + run.calls[1].durationMs!);
  });

  test('a hung call is abandoned after the idle timeout and retried', async () => {
    const run = await clusterWith('sleeping bag liner', { hang: true }, 'SUCCESS');
    expect(run.calls.map((c) => c.outcome)).toEqual(['hang', 'answer']);
    expect(run.calls[1].at - run.calls[0].at).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS);
    expect(run.call).toMatchObject({ attempt: 2, closedAs: 'completed' });
    expect(run.call.lastFailure).toBe(`The AI provider sent nothing for ${IDLE_TIMEOUT_MS / 1000} s; the call was abandoned.`);
    reportRecovery('hung provider call', run.calls[0].at, run.calls[1].at + run.calls[1].durationMs!);
  });

  test('a response whose HTTP body is not JSON is retried', async () => {
    const run = await clusterWith('trekking poles', { malformed: true }, 'SUCCESS');
    expect(run.calls.map((c) => c.outcome)).toEqual(['malformed', 'answer']);
    expect(run.call).toMatchObject({ attempt: 2, closedAs: 'completed' });
    expect(run.call.lastFailure).toMatch(/answer was not valid JSON/);
    reportRecovery('provider body not JSON', run.calls[0].at, run.calls[1].at + run.calls[1].durationMs!);
  });
});

describe('a wrong answer from the model is asked again once, never retried', () => {
  test('prose instead of the JSON asked for, twice: FAILURE naming what was expected, and no rows', async () => {
    const run = await clusterWith('headlamp batteries', { prose: true, times: 2 }, 'FAILURE');
    expect(run.final.meta.phase).toBe('PARSE');
    expect(run.final.error).toContain(`The AI answer is not JSON: expected ${CLUSTERS_EXPECTED}.`);
    // The question and one corrective re-ask, each a first attempt.
    expect(run.calls).toHaveLength(2);
    expect(run.call.attempt).toBe(1);
    // The step that parses ran once per answer and answered: nothing was retried.
    expect(run.parse).toMatchObject([{ attempt: 1, closedAs: 'completed' }, { attempt: 1, closedAs: 'completed' }]);
    expect(await suite().prisma.cluster.count({ where: { accountId: run.accountId } })).toBe(0);
    const keywords = await suite().prisma.keyword.findMany({ where: { id: { in: run.keywordIds } } });
    expect(keywords.map((k) => [k.clusterId, k.status])).toEqual(run.keywordIds.map(() => [null, 'pending']));
  });
});
