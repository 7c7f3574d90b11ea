import { spawn } from 'node:child_process';
import path from 'node:path';
import { failedTasks as failedTasksOf, keywordsFor as keywordsOf, startClustering as startClusteringOf } from './support/failed-tasks';
import { runTasksCli } from './support/tasks-cli';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

/** `npm run tasks` as its own process (test/support/tasks-cli.ts). */
const tasks = (args: string[], env: Record<string, string> = {}) => runTasksCli(stack, args, env);

async function tasksJson<T = any>(args: string[]): Promise<T> {
  const run = await tasks([...args, '--json']);
  if (run.code !== 0) throw new Error(`tasks ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const keywordsFor = (account: TestAccount, words: string[]) => keywordsOf(stack, account, words);
const startClustering = (account: TestAccount, ids: number[]) => startClusteringOf(stack, account, ids);
/** Tasks of an account without provider settings: each fails at INIT. */
const failedTasks = (account: TestAccount, count: number) => failedTasksOf(stack, account, count);

describe('tasks list', () => {
  it('lists an account’s failed tasks as JSON and as a table, filtered by state, function, phase and age', async () => {
    const account = await stack.createAccount();
    const other = await stack.createAccount();
    const failed = await failedTasks(account, 2);
    await failedTasks(other, 1);

    const listed = await tasksJson(['list', '--account', String(account.accountId), '--state', 'FAILURE', '--function', 'auto_cluster', '--phase', 'INIT', '--since', '1h']);
    expect(listed.map((task: { task_id: string }) => task.task_id).sort()).toEqual([...failed].sort());
    expect(Object.keys(listed[0]).sort()).toEqual(['account_id', 'created_at', 'finished_at', 'function_name', 'message', 'phase', 'retried_as', 'state', 'task_id'].sort());
    expect(listed[0]).toMatchObject({ account_id: account.accountId, function_name: 'auto_cluster', state: 'FAILURE', phase: 'INIT', retried_as: null });
    expect(listed[0].finished_at).toEqual(expect.any(String));

    expect(await tasksJson(['list', '--account', String(account.accountId), '--state', 'SUCCESS'])).toEqual([]);
    expect(await tasksJson(['list', '--account', String(account.accountId), '--since', '2999-01-01'])).toEqual([]);
    expect(await tasksJson(['list', '--account', String(account.accountId), '--limit', '1'])).toHaveLength(1);

    const text = await tasks(['list', '--account', String(account.accountId)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^TASK\s+ACCOUNT\s+FUNCTION\s+STATE\s+PHASE/);
    for (const taskId of failed) expect(text.stdout).toContain(taskId);
    expect(text.stdout).toContain('2 tasks.');
  });

  it('refuses a bad --state, --since or option with exit code 2 and says what is wrong', async () => {
    const badState = await tasks(['list', '--state', 'BROKEN']);
    expect(badState.code).toBe(2);
    expect(badState.stderr).toContain('--state "BROKEN" is not a state: PENDING, PROGRESS, SUCCESS, FAILURE, REVOKED');
    const badSince = await tasks(['list', '--since', 'last tuesday']);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('--since "last tuesday" is not an age like 30m, 2h, 7d');
    const badOption = await tasks(['list', '--colour']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
    const wrongState = await tasks(['reset', '--state', 'SUCCESS']);
    expect(wrongState.code).toBe(2);
    expect(wrongState.stderr).toContain('--state SUCCESS does not apply here: this command takes FAILURE tasks');
  });
});

describe('tasks show', () => {
  it('prints the progress answer, the step log and the Web UI link of a task', async () => {
    const account = await stack.createAccount();
    const [taskId] = await failedTasks(account, 1);
    const polled = await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });

    const shown = await tasksJson(['show', taskId]);
    expect(shown).toMatchObject({ task_id: taskId, account_id: account.accountId, function_name: 'auto_cluster', retry_of: null, retried_as: null });
    expect(shown.progress).toEqual(polled.body);
    expect(shown.progress.meta.request_steps.length).toBeGreaterThan(0);
    const { runId } = await stack.temporal.workflow.getHandle(taskId).describe();
    expect(shown.web_ui_url).toBe(`http://temporal-ui.test:8233/namespaces/default/workflows/${taskId}/${runId}/history`);

    const text = await tasks(['show', taskId]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Task       ${taskId}`);
    expect(text.stdout).toContain('State      FAILURE (INIT, ');
    expect(text.stdout).toMatch(/Steps\n.*STEP\s+STATUS/);
    expect(text.stdout).toContain(shown.progress.meta.request_steps[0].stepName);
    expect(text.stdout).toContain(`Web UI     ${shown.web_ui_url}`);
  });

  it('says an unknown task is not found, with exit code 1', async () => {
    const run = await tasks(['show', 'auto_cluster-a1-no-such-task']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Task auto_cluster-a1-no-such-task not found.');
    expect(run.stdout).toBe('');
  });
});

describe('tasks retry, reset, cancel', () => {
  it('retries named tasks once: a second retry skips them, an unknown id is skipped and exits 1', async () => {
    const account = await stack.createAccount();
    const [taskId] = await failedTasks(account, 1);
    await stack.configureOpenAI(account);

    const first = await tasksJson(['retry', taskId]);
    expect(first.skipped).toEqual([]);
    expect(first.retried).toEqual([{ task_id: taskId, new_task_id: expect.stringMatching(/^auto_cluster-a\d+-/) }]);
    const newId = first.retried[0].new_task_id;
    const seen = await stack.waitForTask(account, newId);
    expect(seen[seen.length - 1].state).toBe('SUCCESS');

    const again = await tasks(['retry', taskId, 'auto_cluster-a1-unknown', '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({
      retried: [],
      skipped: [
        { task_id: taskId, reason: `already retried as ${newId}` },
        { task_id: 'auto_cluster-a1-unknown', reason: 'not found' },
      ],
    });
    expect(await stack.prisma.aITaskLog.count({ where: { retryOf: taskId } })).toBe(1);
  });

  it('bulk-retries by filter only with --yes when there is no terminal, and the same bulk retry twice starts nothing the second time', async () => {
    // Its eleven retries run at once, not four at a time.
    const account = await stack.createAccount(undefined, { maxConcurrentAiCalls: 11 });
    const failed = await failedTasks(account, 11);
    await stack.configureOpenAI(account);
    const filters = ['--state', 'FAILURE', '--account', String(account.accountId), '--function', 'auto_cluster', '--since', '1h'];

    const unconfirmed = await tasks(['retry', ...filters, '--json']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('Retry 11 tasks? Not without confirmation: there is no terminal to ask on. Add --yes');
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId, retryOf: { not: null } } })).toBe(0);

    const first = await tasks(['retry', ...filters, '--yes', '--json']);
    expect(first.code).toBe(0);
    const answer = JSON.parse(first.stdout);
    expect(answer.skipped).toEqual([]);
    expect(answer.retried.map((r: { task_id: string }) => r.task_id).sort()).toEqual([...failed].sort());
    // More than ten tasks: a progress line on stderr.
    expect(first.stderr).toContain('retry 11/11');
    for (const { new_task_id } of answer.retried) {
      const seen = await stack.waitForTask(account, new_task_id);
      expect(seen[seen.length - 1].state).toBe('SUCCESS');
    }

    const second = await tasksJson(['retry', ...filters, '--yes']);
    expect(second.retried).toEqual([]);
    expect(second.skipped).toHaveLength(11);
    for (const skip of second.skipped) {
      const retry = answer.retried.find((r: { task_id: string }) => r.task_id === skip.task_id);
      expect(skip.reason).toBe(`already retried as ${retry.new_task_id}`);
    }
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } })).toBe(22);
  });

  it('asks on a terminal before acting on tasks selected by filters, and does nothing when declined', async () => {
    const account = await stack.createAccount();
    const [taskId] = await failedTasks(account, 1);
    // A terminal for the command: util-linux `script` runs it on a pseudo-terminal.
    const command = [process.execPath, '--import', 'tsx', path.resolve(__dirname, '../tools/tasks/main.ts'), 'retry', '--account', String(account.accountId)].join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, DATABASE_URL: stack.databaseUrl, TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!, TEMPORAL_TASK_QUEUE: stack.taskQueue },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('[y/N]') && child.stdin.writable) child.stdin.end('n\n');
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(output).toContain('Retry 1 task? [y/N]');
    expect(output).toContain('Nothing done.');
    expect(code).toBe(1);
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } })).retriedAs).toBeNull();
  });

  it('resets a failed task under the same id once its settings are fixed', async () => {
    const account = await stack.createAccount();
    const [taskId] = await failedTasks(account, 1);
    await stack.configureOpenAI(account);

    const reset = await tasksJson(['reset', taskId]);
    expect(reset).toEqual({ reset: [{ task_id: taskId }], skipped: [] });
    const seen = await stack.waitForTask(account, taskId);
    expect(seen[seen.length - 1].state).toBe('SUCCESS');

    const again = await tasksJson(['reset', taskId]);
    expect(again.reset).toEqual([]);
    expect(again.skipped).toEqual([{ task_id: taskId, reason: `Task ${taskId} is success; only a failed task can be reset.` }]);
  });

  it('cancels a running task, and skips it once it has ended', async () => {
    const account = await stack.createAccount();
    await stack.configureOpenAI(account);
    stack.provider.enqueue({ hang: true, path: '/v1/chat/completions' });
    const taskId = await startClustering(account, await keywordsFor(account, ['cancel from the CLI']));
    for (let i = 0; i < 200; i++) {
      const progress = await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
      if (progress.body.meta.phase === 'AI_CALL') break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const listedRunning = await tasksJson(['list', '--account', String(account.accountId), '--state', 'PROGRESS']);
    expect(listedRunning.map((task: { task_id: string }) => task.task_id)).toEqual([taskId]);

    const cancelled = await tasksJson(['cancel', taskId]);
    expect(cancelled).toEqual({ cancelled: [{ task_id: taskId }], skipped: [] });
    const seen = await stack.waitForTask(account, taskId, { timeoutMs: 20_000 });
    expect(seen[seen.length - 1].state).toBe('REVOKED');

    const again = await tasksJson(['cancel', taskId]);
    expect(again.cancelled).toEqual([]);
    expect(again.skipped[0].reason).toContain('has already ended (revoked)');
  });
});
