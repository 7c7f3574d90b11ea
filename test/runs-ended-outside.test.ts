import { setTimeout as sleep } from 'node:timers/promises';
import { TypedSearchAttributes } from '@temporalio/common';
import type { TaskProgress } from '../pipeline/progress';
import { AI_ACCOUNT, AI_FUNCTION, AI_PHASE, AI_STATE } from '../pipeline/search-attributes';
import { generateContent } from '../functions/generate-content/definition';
import { createRunRecord } from '../api/services/start-task';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

/**
 * Runs that end outside the service (terminated from the Web UI or the CLI, timed out) end
 * everywhere: the worker's reconciler completes their records with nobody polling, keeping what the
 * run had reached, and retry works as for any ended run.
 */
let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack({ reconcile: { everyMs: 300, quietForMs: 500 } });
  account = await stack.createAccount('Ended Elsewhere');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

const poll = (taskId: string) => stack.api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });

async function writerTasks(titles: string[]): Promise<number[]> {
  const created = await stack.api('POST', '/api/v1/writer/tasks/', { key: account.apiKey, body: { tasks: titles.map((title) => ({ title, description: 'x', keywords: 'y' })) } });
  return created.body.ids;
}

/** Polls until the answer passes `check`; returns every answer seen. */
async function pollUntil(taskId: string, check: (answer: TaskProgress) => boolean, timeoutMs = 30_000): Promise<TaskProgress[]> {
  const seen: TaskProgress[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = (await poll(taskId)).body;
    seen.push(answer);
    if (check(answer)) return seen;
    if (Date.now() > deadline) throw new Error(`no such answer within ${timeoutMs} ms; last: ${JSON.stringify(answer)}`);
    await sleep(100);
  }
}

/** Waits for the run record itself, nobody polling the task. */
async function recordEnds(taskId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
    if (record.status !== 'pending') return record;
    if (Date.now() > deadline) throw new Error(`record of ${taskId} still pending`);
    await sleep(100);
  }
}

describe('runs ended outside the service', () => {
  it('a run terminated during its AI calls is REVOKED with the reason, keeps its progress, and can be retried', async () => {
    const titles = ['Ended Boots', 'Ended Socks', 'Ended Laces', 'Ended Insoles'];
    for (const title of titles) stack.provider.enqueue({ path: '/v1/chat/completions', match: title, delayMs: 30_000 } as never);
    const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids: await writerTasks(titles) } });
    const taskId: string = started.body.task_id;
    const running = await pollUntil(taskId, (a) => a.meta.phase === 'AI_CALL' && a.meta.request_steps.some((s) => s.stepName.startsWith('AI request')));
    const reached = running[running.length - 1];

    await stack.temporal.workflow.getHandle(taskId).terminate('stopped from the Web UI');
    // Nobody polls: the reconciler ends the record.
    const record = await recordEnds(taskId);
    expect(record.status).toBe('revoked');
    expect(record.error).toBe('The run was terminated: stopped from the Web UI.');

    const answer = (await poll(taskId)).body;
    expect(answer).toMatchObject({ state: 'REVOKED', error: 'The run was terminated: stopped from the Web UI.', meta: { phase: 'AI_CALL' } });
    // What the run had reached is kept: never a lower percentage, the steps it had.
    expect(answer.meta.percentage).toBeGreaterThanOrEqual(reached.meta.percentage);
    expect(answer.meta.request_steps.map((s) => s.stepName)).toEqual(expect.arrayContaining(['Validate input', 'Build prompt']));
    const percentages = [...running, answer].map((a) => a.meta.percentage);
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b));

    const retried = await stack.api('POST', `/api/v1/system/tasks/${taskId}/retry/`, { key: account.apiKey });
    expect(retried.status).toBe(200);
    const after = await stack.waitForTask(account, retried.body.task_id, { timeoutMs: 60_000 });
    expect(after[after.length - 1].state).toBe('SUCCESS');
  });

  it('a run that timed out is a FAILURE saying so, and its slots and credits are given back', async () => {
    const [id] = await writerTasks(['Timed Out Tent']);
    stack.provider.enqueue({ path: '/v1/chat/completions', match: 'Timed Out Tent', delayMs: 30_000 } as never);
    const record = await createRunRecord(stack.prisma, generateContent, { accountId: account.accountId, ids: [id] });
    if (!('input' in record)) throw new Error('expected a new run record');
    const taskId = record.input.taskId;
    await stack.temporal.workflow.start(generateContent.workflowType, {
      taskQueue: stack.taskQueue,
      workflowId: taskId,
      args: [record.input],
      workflowExecutionTimeout: '3 seconds',
      typedSearchAttributes: new TypedSearchAttributes([
        { key: AI_ACCOUNT, value: String(account.accountId) },
        { key: AI_FUNCTION, value: generateContent.name },
        { key: AI_PHASE, value: 'INIT' },
        { key: AI_STATE, value: 'PENDING' },
      ]),
    });
    const ended = await recordEnds(taskId);
    expect(ended.status).toBe('error');
    expect(ended.error).toBe('The run timed out (its workflow execution timeout passed).');
    expect((await poll(taskId)).body).toMatchObject({ state: 'FAILURE', error: 'The run timed out (its workflow execution timeout passed).', meta: { phase: 'AI_CALL' } });
    // What it held is free again: no reservation, no slot.
    const state = await stack.api('GET', '/api/v1/system/account/', { key: account.apiKey });
    expect(state.body.credits.reserved).toBe(0);
    expect(await stack.prisma.aiCallSlot.count({ where: { taskId } })).toBe(0);
  });
});
