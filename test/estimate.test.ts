import { keywordsFor } from './support/failed-tasks';
import { runTasksCli } from './support/tasks-cli';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Estimates');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

let made = 0;
async function writerTasks(owner: TestAccount, count: number): Promise<number[]> {
  const tasks = Array.from({ length: count }, () => ({ title: `Estimated Article ${++made}`, description: 'A short guide.', keywords: 'guide, basics' }));
  const answer = await stack.api('POST', '/api/v1/writer/tasks/', { key: owner.apiKey, body: { tasks } });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

const estimate = (body: unknown, owner = account) => stack.api('POST', '/api/v1/system/tasks/estimate/', { key: owner.apiKey, body });

/** Runs generate_content on the ids to its end; answers its reservations, charges and provider cost. */
async function runContent(ids: number[]) {
  const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids } });
  expect(started.status).toBe(200);
  const taskId: string = started.body.task_id;
  const seen = await stack.waitForTask(account, taskId);
  expect(seen[seen.length - 1].state).toBe('SUCCESS');
  const sum = async (kind: 'reserve' | 'charge') =>
    (await stack.prisma.creditUsageLog.aggregate({ where: { taskId, kind }, _sum: { credits: true } }))._sum.credits ?? 0;
  const usage = await stack.prisma.aIRequest.aggregate({ where: { taskId }, _sum: { cost: true } });
  return { reserved: await sum('reserve'), charged: await sum('charge'), costUsd: usage._sum.cost ?? 0 };
}

describe('POST /api/v1/system/tasks/estimate/', () => {
  it("answers what the run reserves, and what it costs once the account has history (within ±50 %)", async () => {
    const first = await writerTasks(account, 3);
    const before = await estimate({ function: 'generate_content', ids: first });
    expect(before.status).toBe(200);
    const state = await stack.prisma.account.findUniqueOrThrow({ where: { id: account.accountId } });
    expect(before.body).toEqual({
      success: true,
      function_name: 'generate_content',
      items: 3,
      ai_calls: 3,
      credits: { max: expect.any(Number), expected: expect.any(Number) },
      cost_usd: { max: expect.any(Number), expected: expect.any(Number) },
      available_credits: state.creditBalance - state.creditReserved,
      basis: 'prompt_size',
    });
    expect(before.body.credits.expected).toBeLessThanOrEqual(before.body.credits.max);
    // Nothing was started or stored.
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } })).toBe(0);
    expect(await stack.prisma.aIRequest.count({ where: { accountId: account.accountId } })).toBe(0);

    const firstRun = await runContent(first);
    expect(before.body.credits.max).toBe(firstRun.reserved);

    const second = await writerTasks(account, 3);
    const learned = await estimate({ function: 'generate_content', ids: second });
    expect(learned.status).toBe(200);
    expect(learned.body.basis).toBe('history');
    const secondRun = await runContent(second);
    expect(learned.body.credits.max).toBe(secondRun.reserved);
    console.log(JSON.stringify({ estimate: learned.body.cost_usd, actualUsd: secondRun.costUsd, credits: learned.body.credits, charged: secondRun.charged }));
    expect(learned.body.cost_usd.expected).toBeGreaterThanOrEqual(secondRun.costUsd * 0.5);
    expect(learned.body.cost_usd.expected).toBeLessThanOrEqual(secondRun.costUsd * 1.5);
    expect(Math.abs(learned.body.credits.expected - secondRun.charged)).toBeLessThanOrEqual(secondRun.charged * 0.5);
  });

  it('estimates a batch function as one call', async () => {
    const ids = await keywordsFor(stack, account, ['estimate one', 'estimate two', 'estimate three']);
    const answer = await estimate({ function: 'auto_cluster', ids, sector_id: account.sectorId });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ function_name: 'auto_cluster', items: 3, ai_calls: 1 });
    expect(answer.body.credits.max).toBeGreaterThanOrEqual(1);
  });

  it('refuses what the start refuses: an unknown function, others’ ids, repeats, a sector it does not take', async () => {
    const mine = await writerTasks(account, 1);
    const other = await stack.createAccount('Other');
    const theirs = await writerTasks(other, 1);

    const unknown = await estimate({ function: 'write_poems', ids: mine });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ success: false, error: "Unknown function 'write_poems'. See GET /api/v1/system/ai-functions/ for the functions." });

    const notMine = await estimate({ function: 'generate_content', ids: [...mine, ...theirs] });
    expect(notMine.status).toBe(404);
    expect(notMine.body.error).toBe(`Tasks not found: ${theirs[0]}.`);

    const repeated = await estimate({ function: 'generate_content', ids: [mine[0], mine[0]] });
    expect(repeated.status).toBe(400);
    expect(repeated.body.error).toBe('ids must not repeat an id.');

    const sector = await estimate({ function: 'generate_content', ids: mine, sector_id: account.sectorId });
    expect(sector.status).toBe(400);
    expect(sector.body.error).toBe('generate_content does not take a sector_id.');

    const empty = await estimate({ function: 'generate_content', ids: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toContain('ids must hold at least one id');
  });

  it('answers the configuration error the run would fail with when the settings are missing', async () => {
    const bare = await stack.createAccount('Unconfigured');
    const ids = await writerTasks(bare, 1);
    const answer = await estimate({ function: 'generate_content', ids }, bare);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(
      `OpenAI IntegrationSettings not configured for account ${bare.accountId}. Please configure OpenAI settings in the integration page.`,
    );
  });
});

describe('npm run tasks -- estimate', () => {
  it('prints the estimate as text and as JSON', async () => {
    const ids = await writerTasks(account, 2);
    const api = await estimate({ function: 'generate_content', ids });
    const json = await tasks(['estimate', '--function', 'generate_content', '--account', String(account.accountId), ...ids.map(String), '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ...api.body, success: undefined, available_credits: expect.any(Number) });

    const text = await tasks(['estimate', '--function', 'generate_content', '--account', String(account.accountId), ...ids.map(String)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`generate_content of 2 item(s): 2 AI call(s)`);
    expect(text.stdout).toContain(`reserves  ${api.body.credits.max} credit`);

    const usage = await tasks(['estimate', '--function', 'generate_content', String(ids[0])]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('estimate needs --function NAME and --account ID');
  });
});

const tasks = (args: string[]) => runTasksCli(stack, args);
