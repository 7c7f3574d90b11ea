import { failedTasks as failedTasksOf } from './support/failed-tasks';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Tasks of an account without provider settings: each fails at INIT. */
const failedTasks = (account: TestAccount, count: number) => failedTasksOf(stack, account, count);

const BULK_RETRY = '/api/v1/system/tasks/retry/';

async function succeeded(account: TestAccount, taskIds: string[]): Promise<void> {
  for (const taskId of taskIds) {
    const seen = await stack.waitForTask(account, taskId);
    expect(seen[seen.length - 1].state).toBe('SUCCESS');
  }
}

describe('POST /api/v1/system/tasks/retry/', () => {
  it('retries the tasks named, skips another account’s as not found and a successful one with the reason; the same request again starts nothing', async () => {
    const account = await stack.createAccount();
    const stranger = await stack.createAccount();
    const failed = await failedTasks(account, 2);
    const [strangers] = await failedTasks(stranger, 1);
    await stack.configureOpenAI(account);

    const started = Date.now();
    const first = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { task_ids: [...failed, strangers] } });
    const elapsed = Date.now() - started;
    expect(first.status).toBe(200);
    expect(first.body.success).toBe(true);
    expect(first.body.retried.map((r: { task_id: string }) => r.task_id)).toEqual(failed);
    expect(first.body.skipped).toEqual([{ task_id: strangers, reason: 'not found' }]);
    const newIds: string[] = first.body.retried.map((r: { new_task_id: string }) => r.new_task_id);
    await succeeded(account, newIds);
    for (const [index, taskId] of failed.entries()) {
      expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } })).retriedAs).toBe(newIds[index]);
    }
    // The stranger's task is untouched.
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: strangers } })).retriedAs).toBeNull();

    const again = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { task_ids: [...failed, newIds[0]] } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      success: true,
      retried: [],
      skipped: [
        { task_id: failed[0], reason: `already retried as ${newIds[0]}` },
        { task_id: failed[1], reason: `already retried as ${newIds[1]}` },
        { task_id: newIds[0], reason: `Task ${newIds[0]} succeeded; start a new task instead of retrying it.` },
      ],
    });
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } })).toBe(4);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('retries the failed tasks a filter selects, only the caller’s, once', async () => {
    const account = await stack.createAccount();
    const stranger = await stack.createAccount();
    const failed = await failedTasks(account, 3);
    await failedTasks(stranger, 1);
    await stack.configureOpenAI(account);
    const filter = { function_name: 'auto_cluster', state: 'FAILURE', phase: 'INIT', since: '1h' };

    const future = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { filter: { ...filter, since: '2999-01-01T00:00:00Z' } } });
    expect(future.body).toEqual({ success: true, retried: [], skipped: [] });
    const otherPhase = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { filter: { ...filter, phase: 'SAVE' } } });
    expect(otherPhase.body).toEqual({ success: true, retried: [], skipped: [] });

    const first = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { filter } });
    expect(first.status).toBe(200);
    expect(first.body.skipped).toEqual([]);
    // Oldest first, as they were created.
    const byAge = (await stack.prisma.aITaskLog.findMany({ where: { taskId: { in: failed } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((r) => r.taskId);
    expect(first.body.retried.map((r: { task_id: string }) => r.task_id)).toEqual(byAge);
    await succeeded(
      account,
      first.body.retried.map((r: { new_task_id: string }) => r.new_task_id),
    );

    const again = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { filter } });
    expect(again.status).toBe(200);
    expect(again.body.retried).toEqual([]);
    expect(again.body.skipped.map((s: { reason: string }) => s.reason)).toEqual(
      first.body.retried.map((r: { new_task_id: string }) => `already retried as ${r.new_task_id}`),
    );
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: stranger.accountId, retriedAs: { not: null } } })).toBe(0);
  });

  it('refuses more than 500 tasks, by ids or by filter, saying so', async () => {
    const account = await stack.createAccount();
    const tooMany = Array.from({ length: 501 }, (_, i) => `auto_cluster-a${account.accountId}-${i}`);
    const byIds = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { task_ids: tooMany } });
    expect(byIds.status).toBe(400);
    expect(byIds.body).toMatchObject({ success: false, error: expect.stringContaining('a bulk retry takes at most 500 tasks') });

    // 501 failed run records (no runs behind them: the filter is refused before any is touched).
    await stack.prisma.aITaskLog.createMany({
      data: tooMany.map((taskId) => ({ taskId, accountId: account.accountId, functionName: 'auto_cluster', status: 'error' as const, phase: 'INIT', message: 'failed' })),
    });
    const byFilter = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body: { filter: { function_name: 'auto_cluster' } } });
    expect(byFilter.status).toBe(400);
    expect(byFilter.body).toMatchObject({
      success: false,
      error: 'The filter selects 501 tasks; a bulk retry takes at most 500: narrow it (since, function_name, phase, state).',
    });
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId, retriedAs: { not: null } } })).toBe(0);
  });

  it('answers 400 naming the problem for a body with both, neither, an unknown filter field or a bad since', async () => {
    const account = await stack.createAccount();
    const cases: Array<[unknown, string]> = [
      [{}, 'give either task_ids or filter'],
      [{ task_ids: ['x'], filter: {} }, 'give either task_ids or filter'],
      [{ task_ids: [] }, 'task_ids must hold at least one task id'],
      [{ filter: { function: 'auto_cluster' } }, 'body.filter'],
      [{ filter: { since: 'yesterday' } }, 'body.filter.since: must be an age like 30m, 2h, 7d'],
      [{ filter: { state: 'SUCCESS' } }, 'body.filter.state'],
    ];
    for (const [body, error] of cases) {
      const answer = await stack.api('POST', BULK_RETRY, { key: account.apiKey, body });
      expect(answer.status).toBe(400);
      expect(answer.body.success).toBe(false);
      expect(answer.body.error).toContain(error);
    }
    const anonymous = await stack.api('POST', BULK_RETRY, { body: { task_ids: ['x'] } });
    expect(anonymous.status).toBe(401);
  });

  it('is in the OpenAPI document with its body and answer', async () => {
    const doc = await stack.api('GET', '/docs/json');
    const operation = doc.body.paths['/api/v1/system/tasks/retry/'].post;
    expect(Object.keys(operation.requestBody.content['application/json'].schema.properties).sort()).toEqual(['filter', 'task_ids']);
    expect(Object.keys(operation.responses['200'].content['application/json'].schema.properties).sort()).toEqual(['retried', 'skipped', 'success']);
  });
});

describe('GET /api/v1/system/ai-task-logs/ phase and since', () => {
  it('filters run records by the phase they stopped in and by age, and refuses a bad since', async () => {
    const account = await stack.createAccount();
    const [taskId] = await failedTasks(account, 1);
    const list = (query: string) => stack.api('GET', `/api/v1/system/ai-task-logs/?${query}`, { key: account.apiKey });

    const atInit = await list('phase=INIT&since=10m');
    expect(atInit.status).toBe(200);
    expect(atInit.body.results.map((r: { task_id: string }) => r.task_id)).toEqual([taskId]);
    expect((await list('phase=AI_CALL')).body.count).toBe(0);
    expect((await list(`since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).body.count).toBe(0);
    expect((await list('since=2000-01-01')).body.count).toBe(1);

    const badSince = await list('since=soon');
    expect(badSince.status).toBe(400);
    expect(badSince.body.error).toContain('querystring.since: must be an age like 30m, 2h, 7d');
    const badPhase = await list('phase=LATER');
    expect(badPhase.status).toBe(400);
    expect(badPhase.body.error).toContain('querystring.phase');
  });
});
