import { creditsForCost } from '../activities/credits';
import type { TaskProgress } from '../pipeline/progress';
import { failedTasks } from './support/failed-tasks';
import { runTasksCli } from './support/tasks-cli';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;
/** Holds the writer tasks of a run for a moment, so that its save finds them gone. */
let elsewhere: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Reparse');
  elsewhere = await stack.createAccount('Elsewhere');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

let made = 0;
async function writerTasks(owner: TestAccount, count: number): Promise<number[]> {
  const tasks = Array.from({ length: count }, () => ({ title: `Reparse Article ${++made}`, description: 'A short guide.', keywords: 'guide, basics' }));
  const answer = await stack.api('POST', '/api/v1/writer/tasks/', { key: owner.apiKey, body: { tasks } });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

async function startContent(ids: number[]): Promise<string> {
  const answer = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids } });
  expect(answer.status).toBe(200);
  return answer.body.task_id;
}

const chatRequests = () => stack.provider.requests({ path: '/v1/chat/completions' }).length;

async function progressOf(taskId: string): Promise<TaskProgress> {
  return (await stack.api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey })).body;
}

async function waitForPhase(taskId: string, phase: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await progressOf(taskId)).meta.phase === phase) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${taskId} never reached ${phase}`);
}

async function finalOf(taskId: string): Promise<TaskProgress> {
  const seen = await stack.waitForTask(account, taskId, { timeoutMs: 60_000 });
  return seen[seen.length - 1];
}

/**
 * A generate_content run whose every save is refused: while the answers are on their way, the
 * writer tasks leave the account, so each save finds its task gone ("no longer exists") and the
 * run fails at SAVE with its answers stored. The tasks come back afterwards.
 */
async function failedAtSave(ids: number[]): Promise<string> {
  stack.provider.enqueue({ delayMs: 1500, times: ids.length, path: '/v1/chat/completions' });
  const taskId = await startContent(ids);
  await waitForPhase(taskId, 'AI_CALL');
  await stack.prisma.writerTask.updateMany({ where: { id: { in: ids } }, data: { accountId: elsewhere.accountId } });
  const final = await finalOf(taskId);
  await stack.prisma.writerTask.updateMany({ where: { id: { in: ids } }, data: { accountId: account.accountId } });
  expect(final).toMatchObject({ state: 'FAILURE', meta: { phase: 'SAVE' } });
  expect(final.error).toContain('no longer exists');
  return taskId;
}

async function movements(taskId: string) {
  const rows = await stack.prisma.creditUsageLog.findMany({ where: { taskId }, select: { kind: true, itemKey: true, credits: true } });
  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  return { reserve: of('reserve'), release: of('release'), charge: of('charge') };
}

async function reparse(taskId: string, owner = account) {
  return stack.api('POST', `/api/v1/system/tasks/${taskId}/reparse/`, { key: owner.apiKey });
}

describe('re-parsing a run that failed at SAVE', () => {
  it('parses and saves the stored answers again: SUCCESS, no provider request, each item charged once', async () => {
    const ids = await writerTasks(account, 3);
    const before = await stack.prisma.account.findUniqueOrThrow({ where: { id: account.accountId } });
    const taskId = await failedAtSave(ids);

    const failed = await movements(taskId);
    expect(failed.reserve).toHaveLength(3);
    expect(failed.release).toHaveLength(3);
    expect(failed.charge).toHaveLength(0);
    expect(await stack.prisma.content.count({ where: { taskId: { in: ids } } })).toBe(0);
    const answers = await stack.prisma.aIRequest.findMany({ where: { taskId }, select: { responseText: true, cost: true } });
    expect(answers).toHaveLength(3);
    for (const answer of answers) expect(answer.responseText).toEqual(expect.any(String));

    const requestsBefore = chatRequests();
    const answered = await reparse(taskId);
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({ success: true, task_id: taskId, run_id: expect.any(String), message: 'Re-parsing the stored answers' });

    const final = await finalOf(taskId);
    expect(final.state).toBe('SUCCESS');
    expect(final.meta.reparsed).toBe(true);
    expect(final.result).toMatchObject({ count: 3, tasks_updated: 3 });
    expect(chatRequests()).toBe(requestsBefore);
    expect(await stack.prisma.content.count({ where: { taskId: { in: ids } } })).toBe(3);

    // Reserved once and released once by the failed attempt; charged once, now, for the stored answers.
    const after = await movements(taskId);
    expect(after.reserve).toHaveLength(3);
    expect(after.release).toHaveLength(3);
    expect(after.charge.map((c) => c.itemKey).sort()).toEqual(ids.map(String).sort());
    const charged = after.charge.reduce((sum, c) => sum + c.credits, 0);
    expect(charged).toBe(answers.reduce((sum, a) => sum + creditsForCost(a.cost), 0));
    const now = await stack.prisma.account.findUniqueOrThrow({ where: { id: account.accountId } });
    expect(now.creditBalance).toBe(before.creditBalance - charged);
    expect(now.creditReserved).toBe(0);

    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
    expect(record).toMatchObject({ status: 'success', credits: charged });
    expect(record.reparsedAt).toBeInstanceOf(Date);
    const logs = await stack.api('GET', `/api/v1/system/ai-task-logs/?limit=500`, { key: account.apiKey });
    const listed = logs.body.results.find((log: { task_id: string }) => log.task_id === taskId);
    expect(listed.reparsed_at).toBe(record.reparsedAt!.toISOString());

    const again = await reparse(taskId);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ success: false, error: expect.stringContaining('only a task that failed at PARSE or SAVE') });
  });

  it('saves the provider calls a retry makes again (measured on a batch of 3)', async () => {
    const reparsedIds = await writerTasks(account, 3);
    const retriedIds = await writerTasks(account, 3);
    const reparsedTask = await failedAtSave(reparsedIds);
    const retriedTask = await failedAtSave(retriedIds);

    let requests = chatRequests();
    expect((await reparse(reparsedTask)).status).toBe(200);
    expect((await finalOf(reparsedTask)).state).toBe('SUCCESS');
    const reparseCalls = chatRequests() - requests;

    requests = chatRequests();
    const retry = await stack.api('POST', `/api/v1/system/tasks/${retriedTask}/retry/`, { key: account.apiKey });
    expect(retry.status).toBe(200);
    expect((await finalOf(retry.body.task_id)).state).toBe('SUCCESS');
    const retryCalls = chatRequests() - requests;

    const spent = async (taskIds: string[]) => {
      const usage = await stack.prisma.aIRequest.aggregate({ where: { taskId: { in: taskIds } }, _sum: { cost: true, inputTokens: true, outputTokens: true } });
      const charges = await stack.prisma.creditUsageLog.aggregate({ where: { taskId: { in: taskIds }, kind: 'charge' }, _sum: { credits: true } });
      const reserved = await stack.prisma.creditUsageLog.aggregate({ where: { taskId: { in: taskIds }, kind: 'reserve' }, _sum: { credits: true } });
      return {
        providerUsd: usage._sum.cost ?? 0,
        tokens: (usage._sum.inputTokens ?? 0) + (usage._sum.outputTokens ?? 0),
        charged: charges._sum.credits ?? 0,
        reserved: reserved._sum.credits ?? 0,
      };
    };
    const viaReparse = await spent([reparsedTask]);
    const viaRetry = await spent([retriedTask, retry.body.task_id]);
    // What the operator reads: provider calls, provider spend and credits, re-parse against retry.
    console.log(JSON.stringify({ batch: 3, reparse: { providerCalls: reparseCalls, ...viaReparse }, retry: { providerCalls: retryCalls, ...viaRetry } }));

    expect(reparseCalls).toBe(0);
    expect(retryCalls).toBe(3);
    // The retry paid the provider twice for the same three articles; the re-parse once.
    expect(viaRetry.providerUsd).toBeGreaterThan(viaReparse.providerUsd * 1.5);
    expect(viaRetry.tokens).toBeGreaterThan(viaReparse.tokens * 1.5);
    // Either way the account is charged once per saved article; the retry reserved a second time.
    expect(viaReparse.charged).toBeGreaterThan(0);
    expect(viaRetry.reserved).toBe(2 * viaReparse.reserved);
  });
});

describe('re-parsing a run that failed at PARSE', () => {
  it('reads the same unusable answer again without asking the provider, and fails at PARSE again', async () => {
    const ids = await writerTasks(account, 1);
    const title = (await stack.prisma.writerTask.findUniqueOrThrow({ where: { id: ids[0] } })).title;
    // The answer and the corrective re-ask's answer both hold no article.
    stack.provider.enqueue({ content: '{"title": "Only a title, no article"}', match: title, times: 2 });
    const taskId = await startContent(ids);
    const failed = await finalOf(taskId);
    expect(failed).toMatchObject({ state: 'FAILURE', meta: { phase: 'PARSE' } });
    expect(failed.error).toContain('The AI answer holds no article');

    const requests = chatRequests();
    const answered = await reparse(taskId);
    expect(answered.status).toBe(200);
    const again = await finalOf(taskId);
    expect(again).toMatchObject({ state: 'FAILURE', meta: { phase: 'PARSE', reparsed: true } });
    expect(again.error).toBe(failed.error);
    expect(chatRequests()).toBe(requests);
    expect((await movements(taskId)).charge).toHaveLength(0);
    expect(await stack.prisma.content.count({ where: { taskId: { in: ids } } })).toBe(0);
  });
});

describe('what cannot be re-parsed', () => {
  it('409 for a run that failed before any answer, 404 for another account’s task or an unknown one', async () => {
    const bare = await stack.createAccount('No settings');
    const [atInit] = await failedTasks(stack, bare, 1);
    const refused = await reparse(atInit, bare);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe(
      `Task ${atInit} failed at INIT, before any answer was parsed; only a task that failed at PARSE or SAVE can be re-parsed. Reset or retry it instead.`,
    );
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: atInit } })).reparsedAt).toBeNull();

    const notYours = await reparse(atInit, account);
    expect(notYours.status).toBe(404);
    expect(notYours.body.error).toBe(`Task ${atInit} not found.`);
    expect((await reparse('generate_content-a1-unknown')).status).toBe(404);
  });

  it('409 for a run still running', async () => {
    const ids = await writerTasks(account, 1);
    stack.provider.enqueue({ delayMs: 1500, path: '/v1/chat/completions' });
    const taskId = await startContent(ids);
    const running = await reparse(taskId);
    expect(running.status).toBe(409);
    expect(running.body.error).toContain('is pending');
    expect((await finalOf(taskId)).state).toBe('SUCCESS');
  });
});

describe('npm run tasks -- reparse', () => {
  it('re-parses a task named by id and says so as JSON', async () => {
    const ids = await writerTasks(account, 1);
    const taskId = await failedAtSave(ids);
    const requests = chatRequests();
    const run = await tasks(['reparse', taskId, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ reparsed: [{ task_id: taskId }], skipped: [] });
    expect((await finalOf(taskId)).state).toBe('SUCCESS');
    expect(chatRequests()).toBe(requests);

    const twice = await tasks(['reparse', taskId]);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain(`skipped   ${taskId}: Task ${taskId} is success; only a task that failed at PARSE or SAVE can be re-parsed.`);
  });
});

const tasks = (args: string[]) => runTasksCli(stack, args);
