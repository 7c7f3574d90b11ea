import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskProgress } from '../pipeline/progress';
import { hashApiKey } from '../api/services/accounts';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let owner: TestAccount;
let stranger: TestAccount;
/** Temporal queries the API has sent (counted on the shared connection; they still go through). */
let queries = 0;

beforeAll(async () => {
  stack = await startTestStack();
  owner = await stack.createAccount('Cached Polls');
  stranger = await stack.createAccount('Someone Else');
  await stack.configureOpenAI(owner);
  const service = stack.temporal.connection.workflowService;
  const query = service.queryWorkflow.bind(service);
  service.queryWorkflow = ((...args: Parameters<typeof query>) => {
    queries++;
    return query(...args);
  }) as typeof service.queryWorkflow;
});

afterAll(async () => {
  await stack?.stop();
});

let runs = 0;

async function startClustering(behaviour?: Record<string, unknown>): Promise<string> {
  const run = ++runs;
  const keywords = ['cached boots', 'cached socks'].map((keyword, i) => ({ keyword: `${keyword} ${run}`, volume: 100 + i, difficulty: 20, intent: 'commercial' }));
  if (behaviour) stack.provider.enqueue({ ...behaviour, path: '/v1/chat/completions', match: `${keywords[0].keyword} (` } as never);
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords } });
  const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: created.body.ids } });
  expect(started.status).toBe(200);
  return started.body.task_id;
}

const poll = (taskId: string, account: TestAccount = owner) =>
  stack.api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

describe('the progress endpoint keeps answers between changes', () => {
  it('answers many polls of a running task with few queries, and the next change at once', async () => {
    const taskId = await startClustering({ delayMs: 4_000 });
    await waitFor(async () => (await poll(taskId)).body.meta.phase === 'AI_CALL');
    const before = queries;
    const answers: TaskProgress[] = [];
    for (let i = 0; i < 40; i++) answers.push((await poll(taskId)).body);
    const asked = queries - before;
    // 40 polls within well under the second a running answer is kept: a handful of queries at most.
    expect(answers.every((a) => a.state === 'PROGRESS' && a.meta.phase === 'AI_CALL')).toBe(true);
    expect(asked).toBeLessThanOrEqual(4);
    // The run moves on (its steps publish): the very next polls see it, not a kept answer.
    await waitFor(async () => (await poll(taskId)).body.state === 'SUCCESS');
    const done = (await poll(taskId)).body;
    expect(done).toMatchObject({ state: 'SUCCESS', meta: { phase: 'DONE', percentage: 100 } });
  });

  it("keeps a task's answer for its own account: another account's poll is still a 404", async () => {
    const taskId = await startClustering();
    await waitFor(async () => (await poll(taskId)).body.state === 'SUCCESS');
    expect((await poll(taskId)).status).toBe(200);
    const theirs = await poll(taskId, stranger);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error).toBe(`Task ${taskId} not found.`);
  });

  it('serves a finished task without asking Temporal, and a reset task as running again at once', async () => {
    const taskId = await startClustering({ status: 400, message: 'bad request' });
    await waitFor(async () => (await poll(taskId)).body.state === 'FAILURE');
    const before = queries;
    for (let i = 0; i < 20; i++) expect((await poll(taskId)).body.state).toBe('FAILURE');
    expect(queries - before).toBe(0);

    stack.provider.enqueue({ delayMs: 2_000, path: '/v1/chat/completions', match: `cached boots ${runs} (` } as never);
    const reset = await stack.api('POST', `/api/v1/system/tasks/${taskId}/reset/`, { key: owner.apiKey });
    expect(reset.status).toBe(200);
    // The reset is announced: no poll after it answers the kept FAILURE.
    const after = (await poll(taskId)).body;
    expect(after.state).not.toBe('FAILURE');
    await waitFor(async () => (await poll(taskId)).body.state === 'SUCCESS');
  });
});

describe('API keys are kept between requests', () => {
  it('refuses a key at once when it is changed in the database', async () => {
    const account = await stack.createAccount('Rotating Keys');
    const list = () => stack.api('GET', '/api/v1/planner/keywords/', { key: account.apiKey });
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    await stack.prisma.account.update({ where: { id: account.accountId }, data: { apiKeyHash: hashApiKey('a-new-key') } });
    // Far sooner than a kept key would expire (a minute): the change is announced.
    const changedAt = Date.now();
    await waitFor(async () => (await list()).status === 401, 5_000);
    expect(Date.now() - changedAt).toBeLessThan(5_000);
    expect((await stack.api('GET', '/api/v1/planner/keywords/', { key: 'a-new-key' })).status).toBe(200);
  });
});
