import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import type { TaskProgress } from '../pipeline/progress';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.provider.reset());

/**
 * An account whose every AI call reserves exactly one credit: gpt-4o-mini's output price with the
 * default 4,000 max tokens is 0.24 cents at most (one started cent), and the demo's answers cost a
 * fraction of a cent (one credit charged each).
 */
async function account(credits: number, name = `credits-${credits}`): Promise<TestAccount> {
  const owner = await stack.createAccount(name, { credits });
  await stack.configureOpenAI(owner);
  return owner;
}

async function ledger(owner: TestAccount) {
  const state = await stack.api('GET', '/api/v1/system/account/', { key: owner.apiKey });
  expect(state.status).toBe(200);
  const movements = await stack.prisma.creditUsageLog.findMany({ where: { accountId: owner.accountId } });
  const sum = (kind: string) => movements.filter((m) => m.kind === kind).reduce((total, m) => total + m.credits, 0);
  return { ...(state.body.credits as { balance: number; reserved: number; available: number }), sum, movements };
}

/** The ledger's rules, whatever happened: balance = grants − charges; reserved = reservations − releases. */
async function expectLedgerHolds(owner: TestAccount) {
  const book = await ledger(owner);
  expect(book.balance).toBe(book.sum('grant') - book.sum('charge'));
  expect(book.reserved).toBe(book.sum('reserve') - book.sum('release'));
  expect(book.available).toBeGreaterThanOrEqual(0);
  return book;
}

async function keywords(owner: TestAccount, texts: string[]): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords: texts.map((keyword) => ({ keyword })) } });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

async function cluster(owner: TestAccount, ids: number[]): Promise<string> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids } });
  expect(answer.status).toBe(200);
  return answer.body.task_id;
}

async function finalOf(owner: TestAccount, taskId: string): Promise<TaskProgress> {
  return (await stack.waitForTask(owner, taskId, { timeoutMs: 60_000 })).at(-1)!;
}

describe('credits', () => {
  it('an account without credits fails at INIT, saying so, and no provider request is made', async () => {
    const owner = await account(0);
    const taskId = await cluster(owner, await keywords(owner, ['rain jacket', 'waterproof jacket']));
    const final = await finalOf(owner, taskId);
    expect(final).toMatchObject({ state: 'FAILURE', meta: { phase: 'INIT' } });
    expect(final.error).toMatch(/^Insufficient credits: the account has 0 credit\(s\) available\./);
    expect(stack.provider.requests({ path: '/v1/chat/completions' })).toHaveLength(0);
    await expectLedgerHolds(owner);
  });

  it('a paid run reserves before its call and settles its real cost: balance down by the charges, nothing left reserved', async () => {
    const owner = await account(50);
    const before = await ledger(owner);
    const taskId = await cluster(owner, await keywords(owner, ['tent pegs', 'tent footprint', 'tent repair kit']));
    const final = await finalOf(owner, taskId);
    expect(final.state).toBe('SUCCESS');
    const after = await expectLedgerHolds(owner);
    const run = after.movements.filter((m) => m.taskId === taskId);
    const charged = run.filter((m) => m.kind === 'charge').reduce((total, m) => total + m.credits, 0);
    expect(after.balance).toBe(before.balance - charged);
    expect(after.reserved).toBe(0);
    expect(run.filter((m) => m.kind === 'reserve').reduce((total, m) => total + m.credits, 0)).toBeGreaterThanOrEqual(charged);
    expect(charged).toBeGreaterThanOrEqual(1);
    // The run's progress and record say what it was charged, beside its cost.
    expect(final.meta).toMatchObject({ credits: charged });
    // The ledger is listed newest first, and one task's movements on their own.
    const listed = await stack.api('GET', `/api/v1/system/credit-usage/?task_id=${taskId}`, { key: owner.apiKey });
    expect(listed.body.results.map((m: { kind: string }) => m.kind)).toEqual(['release', 'charge', 'reserve']);
    expect(listed.body.results[1]).toMatchObject({ task_id: taskId, function_name: 'auto_cluster', credits: charged });
    expect(listed.body.results[1].cost_usd).toBeCloseTo(final.meta.cost, 8);
  });

  it('two runs started together with one reservation\'s worth: one succeeds, one fails "Insufficient credits", never below zero', async () => {
    const owner = await account(1);
    const [a, b] = await Promise.all([
      cluster(owner, await keywords(owner, ['camp stove', 'camp stove fuel'])),
      cluster(owner, await keywords(owner, ['camp chair', 'camp chair light'])),
    ]);
    const finals = await Promise.all([finalOf(owner, a), finalOf(owner, b)]);
    expect(finals.map((f) => f.state).sort()).toEqual(['FAILURE', 'SUCCESS']);
    expect(finals.find((f) => f.state === 'FAILURE')!.error).toMatch(/^Insufficient credits/);
    expect(stack.provider.requests({ path: '/v1/chat/completions' })).toHaveLength(1);
    const book = await expectLedgerHolds(owner);
    expect(book.balance).toBe(0);
  });

  it('a batch with credits for half its items: those succeed, the others fail with the message, the run succeeds', async () => {
    const owner = await account(2);
    const tasks = await stack.api('POST', '/api/v1/writer/tasks/', {
      key: owner.apiKey,
      body: { tasks: ['Canoe basics', 'Kayak basics', 'Paddle sizing', 'Dry bags'].map((title) => ({ title })) },
    });
    const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: owner.apiKey, body: { ids: tasks.body.ids } });
    const final = await finalOf(owner, started.body.task_id);
    expect(final.state).toBe('SUCCESS');
    const items = final.result!.items;
    expect(items.filter((i) => i.status === 'success')).toHaveLength(2);
    const refused = items.filter((i) => i.status === 'failed');
    expect(refused).toHaveLength(2);
    for (const item of refused) expect(item.error).toMatch(/^Insufficient credits: this AI call needs up to 1 credit\(s\) and the account has 0 available\./);
    expect(stack.provider.requests({ path: '/v1/chat/completions' })).toHaveLength(2);
    const book = await expectLedgerHolds(owner);
    expect(book).toMatchObject({ balance: 0, reserved: 0 });
  });

  it('a run cancelled during its AI call releases its reservation and is charged nothing', async () => {
    const owner = await account(10);
    stack.provider.enqueue({ delayMs: 20_000 });
    const taskId = await cluster(owner, await keywords(owner, ['sleeping bag', 'sleeping bag liner']));
    await waitFor(async () => (await stack.prisma.creditUsageLog.count({ where: { taskId, kind: 'reserve' } })) === 1 && stack.provider.requests().length === 1);
    expect((await ledger(owner)).reserved).toBe(1);
    expect((await stack.api('POST', `/api/v1/system/tasks/${taskId}/cancel/`, { key: owner.apiKey })).status).toBe(200);
    expect((await finalOf(owner, taskId)).state).toBe('REVOKED');
    const book = await expectLedgerHolds(owner);
    expect(book).toMatchObject({ balance: 10, reserved: 0 });
    expect(book.movements.filter((m) => m.taskId === taskId).map((m) => m.kind).sort()).toEqual(['release', 'reserve']);
  });

  it('holds its rules over many runs at once with random credits, sizes and cancellations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.record({ keywords: fc.integer({ min: 1, max: 3 }), cancel: fc.boolean() }), { minLength: 2, maxLength: 5 }),
        async (credits, runs) => {
          const owner = await account(credits, `ledger-${credits}-${runs.length}-${Math.random().toString(36).slice(2, 8)}`);
          stack.provider.settings({ defaultDelayMs: 300 });
          const started = await Promise.all(
            runs.map(async (run, i) => ({
              run,
              taskId: await cluster(owner, await keywords(owner, Array.from({ length: run.keywords }, (_, k) => `gear ${i} item ${k} ${owner.accountId}`))),
            })),
          );
          await Promise.all(started.filter((s) => s.run.cancel).map((s) => stack.api('POST', `/api/v1/system/tasks/${s.taskId}/cancel/`, { key: owner.apiKey })));
          for (const { taskId } of started) expect(['SUCCESS', 'FAILURE', 'REVOKED']).toContain((await finalOf(owner, taskId)).state);
          const book = await expectLedgerHolds(owner);
          expect(book.reserved).toBe(0);
          expect(book.balance).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 4 },
    );
  });
});

describe('the account and its credits from the command line', () => {
  const run = (script: string, args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'tools', 'accounts', script), ...args], {
      env: { ...process.env, DATABASE_URL: stack.databaseUrl },
      encoding: 'utf8',
    });

  it('account:create gives new accounts the start credits or --credits, and --max-concurrency', () => {
    const created = run('create.ts', ['--name', 'CLI account', '--credits', '25', '--max-concurrency', '2']);
    expect(created.status).toBe(0);
    const line = JSON.parse(created.stdout.trim());
    expect(line).toMatchObject({ account_id: expect.any(Number), api_key: expect.any(String), credits: 25 });
    return stack.api('GET', '/api/v1/system/account/', { key: line.api_key }).then((answer) => {
      expect(answer.body).toEqual({
        success: true,
        account_id: line.account_id,
        name: 'CLI account',
        credits: { balance: 25, reserved: 0, available: 25 },
        limits: { max_concurrent_ai_calls: 2 },
      });
    });
  });

  it('account:credits --add and --set change the balance as grants and print one JSON line', async () => {
    const owner = await stack.createAccount('CLI credits', { credits: 10 });
    const added = run('credits.ts', ['--account', String(owner.accountId), '--add', '-4']);
    expect(added.status).toBe(0);
    expect(JSON.parse(added.stdout.trim())).toEqual({ account_id: owner.accountId, balance: 6, reserved: 0, available: 6 });
    const set = run('credits.ts', ['--account', String(owner.accountId), '--set', '100']);
    expect(JSON.parse(set.stdout.trim())).toMatchObject({ balance: 100, available: 100 });
    const grants = await stack.prisma.creditUsageLog.findMany({ where: { accountId: owner.accountId, kind: 'grant' }, orderBy: { id: 'asc' } });
    expect(grants.map((g) => g.credits)).toEqual([10, -4, 94]);
    const refused = run('credits.ts', ['--account', String(owner.accountId), '--add', '-1000']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/has 100 credit\(s\) available/);
    const unknown = run('credits.ts', ['--account', '999999', '--add', '1']);
    expect(unknown.stderr).toMatch(/Account 999999 does not exist/);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
