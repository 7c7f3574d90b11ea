import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;
let ids: number[];

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Idempotent');
  await stack.configureOpenAI(account);
  const created = await stack.api('POST', '/api/v1/planner/keywords/', {
    key: account.apiKey,
    body: { keywords: [{ keyword: 'same key once' }, { keyword: 'same key twice' }] },
  });
  ids = created.body.ids;
});

afterAll(async () => {
  await stack?.stop();
});

function start(body: unknown, key?: string, owner = account) {
  return stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', {
    key: owner.apiKey,
    body,
    headers: key ? { 'idempotency-key': key } : {},
  });
}

describe('Idempotency-Key on start endpoints', () => {
  it('returns the same task for a repeated request and starts nothing more', async () => {
    const first = await start({ ids }, 'order-42');
    const again = await start({ ids: [...ids] }, 'order-42');
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.task_id).toBe(first.body.task_id);
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } })).toBe(1);
    await stack.waitForTask(account, first.body.task_id);
    const afterwards = await start({ ids }, 'order-42');
    expect(afterwards.body.task_id).toBe(first.body.task_id);
    expect(stack.provider.requests({ path: '/v1/chat/completions' })).toHaveLength(1);
  });

  it('answers 409 for the same key with a different body', async () => {
    const conflict = await start({ ids: [ids[0]] }, 'order-42');
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toContain('order-42');
  });

  it('gives concurrent repeats one task', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => start({ ids }, 'burst-7')));
    expect(new Set(answers.map((a) => a.body.task_id)).size).toBe(1);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await stack.waitForTask(account, answers[0].body.task_id);
  });

  it('keeps keys per account and starts a new task without a key', async () => {
    const other = await stack.createAccount('Other');
    await stack.configureOpenAI(other);
    const theirs = await stack.api('POST', '/api/v1/planner/keywords/', { key: other.apiKey, body: { keywords: [{ keyword: 'x' }] } });
    const otherStart = await start({ ids: theirs.body.ids }, 'order-42', other);
    expect(otherStart.status).toBe(200);
    const plainA = await start({ ids });
    const plainB = await start({ ids });
    expect(plainA.body.task_id).not.toBe(plainB.body.task_id);
    await Promise.all([otherStart, plainA, plainB].map((a, i) => stack.waitForTask(i === 0 ? other : account, a.body.task_id)));
  });

  it('rejects a malformed key', async () => {
    const bad = await start({ ids }, 'has space');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('Idempotency-Key');
  });
});
