import type { RecordedRequest } from '../tools/demo-provider/request-record';
import { fingerprint } from '../tools/demo-provider/request-record';
import type { TaskProgress } from '../pipeline/progress';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

/** A provider answer takes this long, so calls overlap measurably. */
const CALL_MS = 1_500;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.provider.reset();
  stack.provider.settings({ defaultDelayMs: CALL_MS });
});

/** An account whose provider key is its own, so the provider's record tells its calls apart. */
async function account(name: string, maxConcurrentAiCalls?: number): Promise<TestAccount & { key: string }> {
  const owner = await stack.createAccount(name, maxConcurrentAiCalls ? { maxConcurrentAiCalls } : {});
  const key = `sk-sched-${name.replace(/\W+/g, '-')}-${owner.accountId}-0123456789`;
  await stack.configureOpenAI(owner, { apiKey: key });
  return { ...owner, key };
}

async function writerTasks(owner: TestAccount, count: number): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/writer/tasks/', {
    key: owner.apiKey,
    body: { tasks: Array.from({ length: count }, (_, i) => ({ title: `Trail running guide ${i + 1}`, keywords: 'trail running' })) },
  });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

async function startContent(owner: TestAccount, ids: number[]): Promise<string> {
  const answer = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: owner.apiKey, body: { ids } });
  expect(answer.status).toBe(200);
  return answer.body.task_id;
}

/** The chat calls made with `key`, as [start, end] in ms. */
function callsOf(key: string): Array<[number, number]> {
  const print = fingerprint(key);
  return stack.provider
    .requests({ path: '/v1/chat/completions' })
    .filter((r: RecordedRequest) => r.apiKey.fingerprint === print && r.durationMs !== null)
    .map((r) => [r.at, r.at + (r.durationMs ?? 0)]);
}

/** The most calls in flight at one moment. */
function mostAtOnce(calls: Array<[number, number]>): number {
  const edges = calls.flatMap(([start, end]) => [[start, 1] as const, [end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, change] of edges) {
    now += change;
    most = Math.max(most, now);
  }
  return most;
}

async function poll(owner: TestAccount, taskId: string): Promise<TaskProgress> {
  const answer = await stack.api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: owner.apiKey });
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('a batch\'s items run side by side', () => {
  it('6 articles at a 1.5 s provider finish well under the sequential time, never more than the limit in flight', async () => {
    const owner = await account('Batch', 3);
    const ids = await writerTasks(owner, 6);
    const started = Date.now();
    const taskId = await startContent(owner, ids);
    const seen = await stack.waitForTask(owner, taskId, { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    const final = seen[seen.length - 1];
    expect(final.state).toBe('SUCCESS');
    expect(final.result?.items.every((item) => item.status === 'success')).toBe(true);

    const calls = callsOf(owner.key);
    expect(calls).toHaveLength(6);
    expect(mostAtOnce(calls)).toBe(3);
    // Sequential: 6 × 1.5 s = 9 s; in twos of three: about 3 s of calls.
    expect(elapsed).toBeLessThan(6 * CALL_MS * 0.75);

    // The step log stays grouped per item, in item order, numbered 1, 2, 3… however the items ran.
    const steps = [...final.meta.request_steps, ...final.meta.response_steps].sort((a, b) => a.stepNumber - b.stepNumber);
    expect(steps.map((s) => s.stepNumber)).toEqual(steps.map((_, i) => i + 1));
    const titles = (names: string[], prefix: string) => names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
    const names = steps.map((s) => s.stepName);
    const order = Array.from({ length: 6 }, (_, i) => `Trail running guide ${i + 1}`);
    expect(titles(names, 'AI request: ')).toEqual(order);
    expect(titles(names, 'Save: ')).toEqual(order);
    // current/total count finished items; the percentage never goes back.
    expect(seen.map((p) => p.meta.percentage)).toEqual([...seen.map((p) => p.meta.percentage)].sort((a, b) => a - b));
    const counts = seen.map((p) => p.meta.current).filter((c): c is number => c !== undefined);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(seen.filter((p) => p.state === 'PROGRESS').every((p) => p.meta.total === undefined || p.meta.total === 6)).toBe(true);
    expect(Math.max(0, ...counts)).toBeLessThanOrEqual(6);
  });
});

describe('every account has a limit of AI calls in flight, and no account waits behind another', () => {
  it('an account with limit 2 and 6 tasks never has more than 2 in flight, while another account\'s task calls at once', async () => {
    const busy = await account('Busy', 2);
    const quiet = await account('Quiet');
    const busyIds = await writerTasks(busy, 6);
    const busyTasks: string[] = [];
    for (const id of busyIds) busyTasks.push(await startContent(busy, [id]));
    // Busy's line is full; Quiet's single task must not wait behind it.
    await waitFor(async () => (await Promise.all(busyTasks.map((t) => poll(busy, t)))).some((p) => p.meta.queue_position !== undefined));
    const [quietId] = await writerTasks(quiet, 1);
    const quietStarted = Date.now();
    const quietTask = await startContent(quiet, [quietId]);
    const quietSeen = await stack.waitForTask(quiet, quietTask, { timeoutMs: 30_000 });
    expect(quietSeen[quietSeen.length - 1].state).toBe('SUCCESS');
    const [quietCall] = callsOf(quiet.key);
    // It called within the time its own steps take, not after busy's queue (6 calls in twos = 4.5 s).
    expect(quietCall[0] - quietStarted).toBeLessThan(CALL_MS);

    for (const task of busyTasks) expect((await stack.waitForTask(busy, task, { timeoutMs: 60_000 })).at(-1)!.state).toBe('SUCCESS');
    expect(callsOf(busy.key)).toHaveLength(6);
    expect(mostAtOnce(callsOf(busy.key))).toBe(2);
  });

  it('a waiting task answers PENDING with its place in line, which counts down to its start', async () => {
    const owner = await account('Line', 1);
    const ids = await writerTasks(owner, 4);
    const tasks: string[] = [];
    for (const id of ids) tasks.push(await startContent(owner, [id]));
    // The tasks take their places in the order their first steps ran (not always the order they
    // were started): follow the one furthest back.
    let last: string | undefined;
    const deadline = Date.now() + 20_000;
    while (!last && Date.now() < deadline) {
      const answers = await Promise.all(tasks.map((task) => poll(owner, task)));
      const furthest = answers.reduce((best, a, i) => ((a.meta.queue_position ?? 0) > (answers[best].meta.queue_position ?? 0) ? i : best), 0);
      if ((answers[furthest].meta.queue_position ?? 0) >= 2) last = tasks[furthest];
      else await new Promise((r) => setTimeout(r, 50));
    }
    if (!last) throw new Error('no task was seen waiting behind two others');
    const positions: number[] = [];
    let answer: TaskProgress;
    do {
      answer = await poll(owner, last);
      if (answer.meta.queue_position !== undefined) {
        expect(answer.state).toBe('PENDING');
        expect(answer.meta.message).toBe(`Waiting for a free slot (${answer.meta.queue_position - 1} ahead)`);
        if (positions.at(-1) !== answer.meta.queue_position) positions.push(answer.meta.queue_position);
      }
      await new Promise((r) => setTimeout(r, 100));
    } while (answer.state === 'PENDING' || answer.meta.queue_position !== undefined || answer.meta.phase === 'INIT' || answer.meta.phase === 'PREP');
    // Three tasks ahead of it at first (one in flight, two waiting): 3, then 2, then 1.
    expect(positions[0]).toBeGreaterThanOrEqual(2);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(positions.at(-1)).toBe(1);
    for (const task of tasks) expect((await stack.waitForTask(owner, task, { timeoutMs: 60_000 })).at(-1)!.state).toBe('SUCCESS');
    expect(mostAtOnce(callsOf(owner.key))).toBe(1);
  });

  it('a waiting task that is cancelled leaves the line at once, and the others keep all their slots', async () => {
    const owner = await account('Cancel', 1);
    const ids = await writerTasks(owner, 3);
    const tasks: string[] = [];
    for (const id of ids) tasks.push(await startContent(owner, [id]));
    const waiting = tasks[2];
    await waitFor(async () => (await poll(owner, waiting)).meta.queue_position !== undefined);
    expect((await stack.api('POST', `/api/v1/system/tasks/${waiting}/cancel/`, { key: owner.apiKey })).status).toBe(200);
    const cancelled = await stack.waitForTask(owner, waiting, { timeoutMs: 20_000 });
    expect(cancelled.at(-1)!.state).toBe('REVOKED');
    expect(await stack.prisma.aiCallSlot.count({ where: { taskId: waiting } })).toBe(0);
    for (const task of tasks.slice(0, 2)) expect((await stack.waitForTask(owner, task, { timeoutMs: 30_000 })).at(-1)!.state).toBe('SUCCESS');
    expect(callsOf(owner.key)).toHaveLength(2);
    // Nothing is left holding the account's slot: its next task calls at once.
    expect(await stack.prisma.aiCallSlot.count({ where: { accountId: owner.accountId } })).toBe(0);
  });
});

describe('with an overall cap, waiting accounts take turns', () => {
  let capped: TestStack;
  beforeAll(async () => {
    capped = await startTestStack({ slots: { accountLimit: 4, overallLimit: 2, grantLeaseMs: 60_000, runningLeaseMs: 180_000 } });
  });
  afterAll(async () => {
    await capped?.stop();
  });

  it('an account that queues many calls delays another account\'s call by at most one turn', async () => {
    capped.provider.settings({ defaultDelayMs: CALL_MS });
    const flood = await capped.createAccount('Flood');
    const single = await capped.createAccount('Single');
    const keys = { flood: 'sk-sched-flood-0123456789', single: 'sk-sched-single-0123456789' };
    await capped.configureOpenAI(flood, { apiKey: keys.flood });
    await capped.configureOpenAI(single, { apiKey: keys.single });
    const make = async (owner: TestAccount, count: number) =>
      (await capped.api('POST', '/api/v1/writer/tasks/', { key: owner.apiKey, body: { tasks: Array.from({ length: count }, (_, i) => ({ title: `Guide ${i}` })) } })).body.ids as number[];
    const floodIds = await make(flood, 8);
    const floodTasks: string[] = [];
    for (const id of floodIds) floodTasks.push((await capped.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: flood.apiKey, body: { ids: [id] } })).body.task_id);
    const [singleId] = await make(single, 1);
    const singleTask = (await capped.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: single.apiKey, body: { ids: [singleId] } })).body.task_id;
    expect((await capped.waitForTask(single, singleTask, { timeoutMs: 30_000 })).at(-1)!.state).toBe('SUCCESS');
    for (const task of floodTasks) expect((await capped.waitForTask(flood, task, { timeoutMs: 60_000 })).at(-1)!.state).toBe('SUCCESS');

    const starts = capped.provider
      .requests({ path: '/v1/chat/completions' })
      .map((r) => ({ who: r.apiKey.fingerprint === fingerprint(keys.single) ? 'single' : 'flood', at: r.at }))
      .sort((a, b) => a.at - b.at);
    // Two slots overall: the single call is among the first calls after the ones flood already had.
    expect(starts.findIndex((s) => s.who === 'single')).toBeLessThanOrEqual(3);
    expect(mostAtOnce(capped.provider.requests({ path: '/v1/chat/completions' }).map((r) => [r.at, r.at + (r.durationMs ?? 0)]))).toBeLessThanOrEqual(2);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
