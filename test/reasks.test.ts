import type { TaskProgress } from '../pipeline/progress';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';
import { stepsInOrder } from './support/progress-checks';

/** Prose where JSON was asked for: the answer every parser refuses. */
const PROSE = 'Happy to help! I grouped the keywords by topic and by intent, as you asked.';

type ChatBody = { messages: Array<{ role: string; content: string }> };

describe('one corrective re-ask of an answer that is not the JSON asked for', () => {
  let stack: TestStack;
  let account: TestAccount;
  let runs = 0;

  beforeAll(async () => {
    stack = await startTestStack();
    account = await stack.createAccount('Second Chances');
    await stack.configureOpenAI(account);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Clusters keywords of their own; the first `prose` answers to this run's prompt are prose. */
  async function cluster(prose: number, owner = account, on = stack) {
    const run = ++runs;
    const keywords = ['reask tents', 'reask stoves', 'reask lanterns'].map((k, i) => ({ keyword: `${k} ${run}`, volume: 100 + i, difficulty: 10, intent: 'commercial' }));
    if (prose) on.provider.enqueue({ path: '/v1/chat/completions', match: `${keywords[0].keyword} (`, content: PROSE, times: prose } as never);
    const created = await on.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords } });
    const before = on.provider.requests().length;
    const started = await on.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: created.body.ids } });
    expect(started.status).toBe(200);
    const seen = await on.waitForTask(owner, started.body.task_id);
    const calls = on.provider.requests().slice(before).filter((r) => r.path === '/v1/chat/completions' && JSON.stringify(r.body).includes(keywords[0].keyword));
    return { taskId: started.body.task_id as string, final: seen[seen.length - 1] as TaskProgress, calls };
  }

  it('a prose answer followed by valid JSON succeeds after one re-ask, in the same conversation', async () => {
    const { final, calls, taskId } = await cluster(1);
    expect(final.state).toBe('SUCCESS');
    expect(calls).toHaveLength(2);
    const second = (calls[1].body as ChatBody).messages;
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(second[0].content).toBe((calls[0].body as ChatBody).messages[0].content);
    expect(second[1].content).toBe(PROSE);
    expect(second[2].content).toContain('could not be used');
    expect(second[2].content).toMatch(/expected .*"clusters"/);

    // The re-ask is a step of its own; its tokens and cost count in the run's.
    const steps = stepsInOrder(final);
    const reask = steps.find((s) => s.stepName.startsWith('Re-ask: '));
    expect(reask).toMatchObject({ status: 'success' });
    const requests = await stack.prisma.aIRequest.findMany({ where: { taskId } });
    expect(requests.map((r) => r.itemKey).sort()).toEqual(['batch', 'batch~reask1']);
    const tokens = requests.reduce((sum, r) => sum + r.inputTokens + r.outputTokens, 0);
    expect(final.meta.tokens).toBe(tokens);
    expect(final.meta.cost).toBeCloseTo(requests.reduce((sum, r) => sum + r.cost, 0), 8);
    // Credits: what the used answer cost (the refused one is not charged).
    const charges = await stack.prisma.creditUsageLog.findMany({ where: { taskId, kind: 'charge' } });
    expect(charges.map((c) => c.itemKey)).toEqual(['batch~reask1']);
  });

  it('two prose answers fail at PARSE with the message it has without re-asks, after two requests', async () => {
    const { final, calls } = await cluster(2);
    expect(final.state).toBe('FAILURE');
    expect(final.meta.phase).toBe('PARSE');
    expect(final.error).toMatch(/expected .*"clusters"/);
    expect(calls).toHaveLength(2);
    const steps = stepsInOrder(final);
    expect(steps.filter((s) => s.stepName.startsWith('Re-ask'))).toHaveLength(1);
  });

  it('with AI_PARSE_REASKS=0 the first prose answer fails the run, one request', async () => {
    const strict = await startTestStack({ parseReasks: 0 });
    try {
      const owner = await strict.createAccount('No Second Chances');
      await strict.configureOpenAI(owner);
      const { final, calls } = await cluster(1, owner, strict);
      expect(final.state).toBe('FAILURE');
      expect(calls).toHaveLength(1);
    } finally {
      await strict.stop();
    }
  });

  it('re-asks per item: one article answered in prose is asked again, the others are not', async () => {
    const titles = ['Reasked Hiking Boots', 'Reasked Trail Maps'];
    const created = await stack.api('POST', '/api/v1/writer/tasks/', {
      key: account.apiKey,
      body: { tasks: titles.map((title) => ({ title, description: 'Asked twice.', keywords: 'hiking' })) },
    });
    // An empty answer is not an article, whatever the format.
    stack.provider.enqueue({ path: '/v1/chat/completions', match: titles[0], content: ' ' } as never);
    const before = stack.provider.requests().length;
    const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids: created.body.ids } });
    const seen = await stack.waitForTask(account, started.body.task_id);
    const final = seen[seen.length - 1];
    expect(final.state).toBe('SUCCESS');
    expect(final.result).toMatchObject({ count: 2 });
    const calls = stack.provider.requests().slice(before).filter((r) => r.path === '/v1/chat/completions');
    expect(calls.filter((c) => JSON.stringify(c.body).includes(titles[0]))).toHaveLength(2);
    expect(calls.filter((c) => JSON.stringify(c.body).includes(titles[1]))).toHaveLength(1);
    expect(stepsInOrder(final).map((s) => s.stepName)).toContain(`Re-ask: ${titles[0]}`);
  });
});
