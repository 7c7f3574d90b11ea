import type { TaskProgress } from '../pipeline/progress';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';
import { expectForwardProgress, stepsInOrder } from './support/progress-checks';
import { localActivityRuns } from './support/history-steps';

const KEYWORDS = [
  { keyword: 'best running shoes', volume: 12000, difficulty: 45, intent: 'commercial' },
  { keyword: 'running shoes for flat feet', volume: 3400, difficulty: 30, intent: 'commercial' },
  { keyword: 'Trail Running Shoes', volume: 5400, difficulty: 38, intent: 'commercial' },
  { keyword: 'how to start running', volume: 8100, difficulty: 25, intent: 'informational' },
  { keyword: 'running plan for beginners', volume: 2900, difficulty: 20, intent: 'informational' },
  { keyword: 'marathon training schedule', volume: 4400, difficulty: 35, intent: 'informational' },
];

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Runners');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

async function createKeywords(owner: TestAccount, keywords = KEYWORDS): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords } });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

async function startClustering(owner: TestAccount, body: unknown) {
  return stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body });
}

describe('auto_cluster end to end', () => {
  let ids: number[];
  let seen: TaskProgress[];
  let final: TaskProgress;

  beforeAll(async () => {
    ids = await createKeywords(account);
    // A slow provider keeps the run in AI_CALL long enough for polls to see it running.
    stack.provider.enqueue({ delayMs: 1500 });
    const started = await startClustering(account, { ids });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ success: true, task_id: expect.stringMatching(/^auto_cluster-a\d+-/), message: 'Clustering started' });
    seen = await stack.waitForTask(account, started.body.task_id);
    final = seen[seen.length - 1];
  });

  it('ends in SUCCESS with the result counters and DONE message', () => {
    expect(final.state).toBe('SUCCESS');
    expect(final.meta.phase).toBe('DONE');
    expect(final.meta.percentage).toBe(100);
    expect(final.meta.message).toBe('Clustering complete');
    expect(final.result).toMatchObject({ keywords_updated: KEYWORDS.length, items: [{ id: 'batch', status: 'success' }] });
    expect(final.result!.count).toBe(final.result!.clusters_created);
    expect(final.result!.count).toBeGreaterThan(0);
  });

  it('saves clusters with every keyword linked, mapped, counted and summed', async () => {
    const clusters = await stack.prisma.cluster.findMany({ where: { accountId: account.accountId }, include: { keywords: true } });
    expect(clusters.length).toBe(final.result!.clusters_created);
    const linked = clusters.flatMap((c) => c.keywords.map((k) => k.id)).sort((a, b) => a - b);
    expect(linked).toEqual([...ids].sort((a, b) => a - b));
    for (const cluster of clusters) {
      expect(cluster.status).toBe('active');
      expect(cluster.keywordsCount).toBe(cluster.keywords.length);
      expect(Number(cluster.volume)).toBe(cluster.keywords.reduce((sum, k) => sum + k.volume, 0));
      for (const keyword of cluster.keywords) expect(keyword.status).toBe('mapped');
    }
  });

  it('reports phases in order with a percentage that never goes backwards', () => {
    expectForwardProgress(seen);
    expect(seen.some((p) => p.state === 'PROGRESS' && p.meta.phase === 'AI_CALL')).toBe(true);
  });

  it("logs each phase's step with the documented messages", () => {
    const steps = stepsInOrder(final);
    const clusters = final.result!.clusters_created as number;
    expect(steps.map((s) => [s.status, s.message])).toEqual([
      ['success', `Validating best running shoes, running shoes for flat feet, Trail Running Shoes and 3 more keywords`],
      ['success', `Loading 6 keyword(s)`],
      ['success', 'Generating clusters with Igny8 Semantic SEO Model'],
      ['success', `${clusters} cluster(s) created`],
      ['success', `Saving ${clusters} cluster(s)`],
    ]);
    for (const step of steps) expect(step.duration).toBeGreaterThanOrEqual(0);
  });

  it('records tokens and cost from the provider usage and completes the run record', async () => {
    const request = await stack.prisma.aIRequest.findFirstOrThrow({ where: { taskId: { startsWith: 'auto_cluster-' }, accountId: account.accountId } });
    expect(final.meta.tokens).toBe(request.inputTokens + request.outputTokens);
    expect(final.meta.tokens).toBeGreaterThan(0);
    // gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
    expect(final.meta.cost).toBeCloseTo((request.inputTokens * 0.15 + request.outputTokens * 0.6) / 1e6, 10);
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: request.taskId } });
    expect(record).toMatchObject({ status: 'success', phase: 'DONE', functionName: 'auto_cluster', tokens: final.meta.tokens });
    expect(record.finishedAt).not.toBeNull();
    // The ledger: the call's reservation, its charge at the real cost, the reservation released.
    const credits = await stack.prisma.creditUsageLog.findMany({ where: { taskId: request.taskId }, orderBy: { id: 'asc' } });
    expect(credits.map((m) => m.kind)).toEqual(['reserve', 'charge', 'release']);
    const charge = credits.find((m) => m.kind === 'charge')!;
    expect(charge.costUsd).toBeCloseTo(final.meta.cost, 10);
    expect(charge.credits).toBe(Math.ceil(final.meta.cost * 100));
  });

  it('sends the documented keyword lines to the provider, with the key and no retries', async () => {
    const calls = stack.provider.requests().filter((r) => r.path === '/v1/chat/completions');
    expect(calls).toHaveLength(1);
    const prompt = JSON.stringify(calls[0].body);
    expect(prompt).toContain('- best running shoes (Volume: 12000, Difficulty: 45, Intent: commercial)');
    expect(prompt).toContain('- Trail Running Shoes (Volume: 5400, Difficulty: 38, Intent: commercial)');
  });

  it('answers a finished task from its run record, identically, on every poll', async () => {
    const taskId = (await stack.prisma.aITaskLog.findFirstOrThrow({ where: { accountId: account.accountId } })).taskId;
    const again = await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(final);
  });
});

describe('configuration is checked at INIT, once', () => {
  it('fails with the documented message when OpenAI settings are missing, without retrying', async () => {
    const bare = await stack.createAccount('No settings');
    const ids = await createKeywords(bare, KEYWORDS.slice(0, 2));
    const started = await startClustering(bare, { ids });
    expect(started.status).toBe(200);
    const seen = await stack.waitForTask(bare, started.body.task_id);
    const final = seen[seen.length - 1];
    expect(final.state).toBe('FAILURE');
    expect(final.meta.phase).toBe('INIT');
    expect(final.error).toBe(
      `OpenAI IntegrationSettings not configured for account ${bare.accountId}. Please configure OpenAI settings in the integration page.`,
    );
    // Local activities' markers are written when the workflow task ends, just after the record.
    await stack.temporal.workflow.getHandle(started.body.task_id).result().catch(() => undefined);
    const history = await stack.temporal.workflow.getHandle(started.body.task_id).fetchHistory();
    // A configuration error is not retried: one start step (INIT), its first attempt, failed.
    const validations = localActivityRuns(history.events!, 'startRun');
    expect(validations).toEqual([expect.objectContaining({ attempt: 1, closedAs: 'failed' })]);
    expect(history.events!.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: started.body.task_id } });
    expect(record).toMatchObject({ status: 'error', phase: 'INIT', error: final.error });
    expect(await stack.prisma.cluster.count({ where: { accountId: bare.accountId } })).toBe(0);
  });

  it('fails with the documented message when the model is not set', async () => {
    const noModel = await stack.createAccount('No model');
    await stack.configureOpenAI(noModel, { model: null });
    const ids = await createKeywords(noModel, KEYWORDS.slice(0, 1));
    const started = await startClustering(noModel, { ids });
    const seen = await stack.waitForTask(noModel, started.body.task_id);
    expect(seen[seen.length - 1]).toMatchObject({
      state: 'FAILURE',
      error: `Model not configured in IntegrationSettings for account ${noModel.accountId}. Please set 'model' in OpenAI integration settings.`,
    });
  });

  it('fails naming an unknown model and the allowed ones', async () => {
    const unknown = await stack.createAccount('Unknown model');
    await stack.configureOpenAI(unknown, { model: 'gpt-imaginary' });
    const ids = await createKeywords(unknown, KEYWORDS.slice(0, 1));
    const started = await startClustering(unknown, { ids });
    const seen = await stack.waitForTask(unknown, started.body.task_id);
    const final = seen[seen.length - 1];
    expect(final.state).toBe('FAILURE');
    expect(final.error).toContain("Model 'gpt-imaginary' is not in the pricing table");
    expect(final.error).toContain('gpt-4o-mini');
  });
});

describe('the API checks input and starts nothing it rejects', () => {
  async function runCount(owner: TestAccount) {
    return stack.prisma.aITaskLog.count({ where: { accountId: owner.accountId } });
  }

  it('answers 400 naming the field for a bad body', async () => {
    const before = await runCount(account);
    const empty = await startClustering(account, { ids: [] });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ success: false, error: expect.stringContaining('ids'), request_id: expect.any(String) });
    const wrongType = await startClustering(account, { ids: 'one' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toContain('body.ids');
    const malformed = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', {
      key: account.apiKey,
      body: '{"ids": [1,',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.success).toBe(false);
    const badKeyword = await stack.api('POST', '/api/v1/planner/keywords/', {
      key: account.apiKey,
      body: { keywords: [{ keyword: 'ok', volume: -1 }] },
    });
    expect(badKeyword.status).toBe(400);
    expect(badKeyword.body.error).toContain('keywords.0.volume');
    expect(await runCount(account)).toBe(before);
  });

  it('answers 401 without a key or with a wrong one', async () => {
    const none = await stack.api('GET', '/api/v1/planner/keywords/');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ success: false, error: expect.stringContaining('API key'), request_id: expect.any(String) });
    const wrong = await stack.api('GET', '/api/v1/planner/keywords/', { key: 'not-a-key' });
    expect(wrong.status).toBe(401);
  });

  it("answers 404 listing unknown and other accounts' ids", async () => {
    const other = await stack.createAccount('Other');
    const theirs = await createKeywords(other, KEYWORDS.slice(0, 2));
    const before = await runCount(account);
    const answer = await startClustering(account, { ids: [...theirs, 99999999] });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe(`Keywords not found: ${theirs.join(', ')}, 99999999.`);
    expect(await runCount(account)).toBe(before);
  });

  it("answers 404 for unknown task ids and other accounts' tasks", async () => {
    const unknown = await stack.api('GET', '/api/v1/system/settings/task_progress/auto_cluster-a1-nope/', { key: account.apiKey });
    expect(unknown.status).toBe(404);
    const mine = await stack.prisma.aITaskLog.findFirstOrThrow({ where: { accountId: account.accountId } });
    const other = await stack.createAccount('Snooper');
    const snooped = await stack.api('GET', `/api/v1/system/settings/task_progress/${mine.taskId}/`, { key: other.apiKey });
    expect(snooped.status).toBe(404);
  });

  it('keeps accounts apart in lists', async () => {
    const other = await stack.createAccount('Separate');
    const list = await stack.api('GET', '/api/v1/planner/keywords/', { key: other.apiKey });
    expect(list.body).toEqual({ success: true, count: 0, next: null, previous: null, results: [] });
  });

  it('masks the provider key in integration answers', async () => {
    const answer = await stack.api('GET', '/api/v1/system/settings/integrations/openai/', { key: account.apiKey });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).not.toContain('sk-test-provider-key');
    expect(answer.body.data.config.apiKey).toMatch(/^••••/);
  });

  it('reports health of both dependencies', async () => {
    const answer = await stack.api('GET', '/api/v1/health/');
    expect(answer).toEqual({ status: 200, body: { success: true, database: 'ok', temporal: 'ok' } });
  });
});
