import type { TaskProgress } from '../pipeline/progress';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function keywordsFor(account: TestAccount, words: string[]): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', {
    key: account.apiKey,
    body: { keywords: words.map((keyword) => ({ keyword, volume: 100 })) },
  });
  return answer.body.ids;
}

async function startClustering(account: TestAccount, ids: number[]): Promise<string> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: account.apiKey, body: { ids } });
  expect(answer.status).toBe(200);
  return answer.body.task_id;
}

async function progressOf(account: TestAccount, taskId: string): Promise<TaskProgress> {
  return (await stack.api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey })).body;
}

async function waitForPhase(account: TestAccount, taskId: string, phase: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await progressOf(account, taskId)).meta.phase === phase) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${taskId} never reached ${phase}`);
}

describe('cancel', () => {
  it('abandons a running AI call and ends REVOKED; a second cancel is 409', async () => {
    const account = await stack.createAccount();
    await stack.configureOpenAI(account);
    stack.provider.enqueue({ hang: true, path: '/v1/chat/completions' });
    const taskId = await startClustering(account, await keywordsFor(account, ['cancel me', 'cancel me too']));
    await waitForPhase(account, taskId, 'AI_CALL');

    const cancelled = await stack.api('POST', `/api/v1/system/tasks/${taskId}/cancel/`, { key: account.apiKey });
    expect(cancelled.status).toBe(200);
    const seen = await stack.waitForTask(account, taskId, { timeoutMs: 20_000 });
    expect(seen[seen.length - 1]).toMatchObject({ state: 'REVOKED', meta: { phase: 'AI_CALL' } });
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
    expect(record.status).toBe('revoked');
    // The run record is completed just before the workflow closes: give it a moment to close.
    const handle = stack.temporal.workflow.getHandle(taskId);
    let status = (await handle.describe()).status.name;
    for (let i = 0; i < 50 && status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await handle.describe()).status.name;
    }
    expect(status).toBe('CANCELLED');
    expect(await stack.prisma.cluster.count({ where: { accountId: account.accountId } })).toBe(0);

    const again = await stack.api('POST', `/api/v1/system/tasks/${taskId}/cancel/`, { key: account.apiKey });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain('already ended');
  });
});

describe('retry', () => {
  it('starts a new run with the same input, linked both ways, after the settings are fixed', async () => {
    const account = await stack.createAccount();
    const ids = await keywordsFor(account, ['retry one', 'retry two']);
    const failedId = await startClustering(account, ids);
    const failed = await stack.waitForTask(account, failedId);
    expect(failed[failed.length - 1].state).toBe('FAILURE');

    await stack.configureOpenAI(account);
    const retried = await stack.api('POST', `/api/v1/system/tasks/${failedId}/retry/`, { key: account.apiKey });
    expect(retried.status).toBe(200);
    const newId = retried.body.task_id as string;
    expect(newId).not.toBe(failedId);
    expect(retried.body.retry_of).toBe(failedId);
    const seen = await stack.waitForTask(account, newId);
    expect(seen[seen.length - 1].state).toBe('SUCCESS');

    const [oldRecord, newRecord] = await Promise.all([
      stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: failedId } }),
      stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: newId } }),
    ]);
    expect(oldRecord.retriedAs).toBe(newId);
    expect(newRecord.retryOf).toBe(failedId);
    expect(newRecord.payload).toEqual(oldRecord.payload);
    const memo = (await stack.temporal.workflow.getHandle(newId).describe()).memo;
    expect(memo).toMatchObject({ retry_of: failedId });

    // A task is retried once: asking again answers that retry.
    const twice = await stack.api('POST', `/api/v1/system/tasks/${failedId}/retry/`, { key: account.apiKey });
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ task_id: newId, retry_of: failedId });
    const succeeded = await stack.api('POST', `/api/v1/system/tasks/${newId}/retry/`, { key: account.apiKey });
    expect(succeeded.status).toBe(409);
  });

  it('refuses to retry a running task (409) and hides other accounts’ tasks (404)', async () => {
    const account = await stack.createAccount();
    await stack.configureOpenAI(account);
    stack.provider.enqueue({ delayMs: 3000, path: '/v1/chat/completions' });
    const taskId = await startClustering(account, await keywordsFor(account, ['slow one']));
    const running = await stack.api('POST', `/api/v1/system/tasks/${taskId}/retry/`, { key: account.apiKey });
    expect(running.status).toBe(409);
    const stranger = await stack.createAccount();
    for (const action of ['cancel', 'retry', 'reset']) {
      const answer = await stack.api('POST', `/api/v1/system/tasks/${taskId}/${action}/`, { key: stranger.apiKey });
      expect(answer.status).toBe(404);
    }
    await stack.waitForTask(account, taskId);
  });
});

describe('reset', () => {
  it('resumes a run that failed at INIT under the same task id once settings are fixed', async () => {
    const account = await stack.createAccount();
    const taskId = await startClustering(account, await keywordsFor(account, ['reset me']));
    const failed = await stack.waitForTask(account, taskId);
    expect(failed[failed.length - 1]).toMatchObject({ state: 'FAILURE', meta: { phase: 'INIT' } });

    await stack.configureOpenAI(account);
    const reset = await stack.api('POST', `/api/v1/system/tasks/${taskId}/reset/`, { key: account.apiKey });
    expect(reset.status).toBe(200);
    const seen = await stack.waitForTask(account, taskId);
    expect(seen[seen.length - 1].state).toBe('SUCCESS');
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } })).status).toBe('success');
  });

  it('makes the AI call again when the model answered prose the first time (and to the re-ask)', async () => {
    const account = await stack.createAccount();
    await stack.configureOpenAI(account);
    stack.provider.enqueue({ prose: true, path: '/v1/chat/completions', times: 2 });
    const taskId = await startClustering(account, await keywordsFor(account, ['prose first', 'json later']));
    const failed = await stack.waitForTask(account, taskId);
    expect(failed[failed.length - 1]).toMatchObject({ state: 'FAILURE', meta: { phase: 'PARSE' } });
    const callsBefore = stack.provider.requests().length;

    const reset = await stack.api('POST', `/api/v1/system/tasks/${taskId}/reset/`, { key: account.apiKey });
    expect(reset.status).toBe(200);
    const seen = await stack.waitForTask(account, taskId);
    expect(seen[seen.length - 1].state).toBe('SUCCESS');
    expect(stack.provider.requests().length).toBe(callsBefore + 1);
    expect(await stack.prisma.cluster.count({ where: { accountId: account.accountId } })).toBeGreaterThan(0);

    const succeeded = await stack.api('POST', `/api/v1/system/tasks/${taskId}/reset/`, { key: account.apiKey });
    expect(succeeded.status).toBe(409);
  });
});
