import type { TaskProgress } from '../pipeline/progress';
import { generateIdeas } from '../functions/generate-ideas/definition';
import { BATCH_ITEM_KEY, type RunInput } from '../pipeline/run-io';
import { Prisma, type Cluster } from '../db/client';
import { createGenerateIdeasActivities } from '../functions/generate-ideas/activities';
import { startTask } from '../api/services/start-task';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';
import { expectForwardProgress, stepsInOrder } from './support/progress-checks';
import { localActivityRuns } from './support/history-steps';

interface ClusterSpec {
  name: string;
  description: string;
  keywords: string[];
}

const CLUSTERS: ClusterSpec[] = [
  { name: 'Running Shoes', description: 'Choosing shoes for road and trail running', keywords: ['best running shoes', 'trail running shoes'] },
  { name: 'Marathon Training', description: 'Plans and habits for a first marathon', keywords: ['marathon training schedule', 'running plan for beginners'] },
];

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function configuredAccount(name: string): Promise<TestAccount> {
  const account = await stack.createAccount(name);
  await stack.configureOpenAI(account);
  return account;
}

/** Clusters with their keywords, written directly: what auto_cluster would have left. */
async function createClusters(owner: TestAccount, specs = CLUSTERS): Promise<Cluster[]> {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
  const clusters: Cluster[] = [];
  for (const spec of specs) {
    const cluster = await stack.prisma.cluster.create({
      data: { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id, name: spec.name, description: spec.description, keywordsCount: spec.keywords.length },
    });
    await stack.prisma.keyword.createMany({
      data: spec.keywords.map((keyword) => ({ accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id, keyword, clusterId: cluster.id, status: 'mapped' })),
    });
    clusters.push(cluster);
  }
  return clusters;
}

function startIdeas(owner: TestAccount, body: unknown) {
  return stack.api('POST', '/api/v1/planner/clusters/auto_generate_ideas/', { key: owner.apiKey, body });
}

async function generate(owner: TestAccount, body: Record<string, unknown>) {
  const started = await startIdeas(owner, body);
  expect(started.status).toBe(200);
  expect(started.body).toEqual({ success: true, task_id: expect.stringMatching(/^generate_ideas-a\d+-/), message: 'Idea generation started' });
  const taskId: string = started.body.task_id;
  const seen = await stack.waitForTask(owner, taskId);
  return { taskId, seen, final: seen[seen.length - 1] };
}

/** The text of the last chat completion the provider received. */
function lastPrompt(): string {
  const calls = stack.provider.requests({ path: '/v1/chat/completions' });
  const body = calls[calls.length - 1].body as { messages: Array<{ content: string }> };
  return body.messages.map((m) => m.content).join('\n');
}

function ideasOf(taskId: string) {
  return stack.prisma.contentIdea.findMany({ where: { aiTaskId: taskId }, orderBy: { aiItemIndex: 'asc' } });
}

describe('generate_ideas end to end', () => {
  let account: TestAccount;
  let clusters: Cluster[];
  let taskId: string;
  let seen: TaskProgress[];
  let final: TaskProgress;
  let callsBefore: number;

  beforeAll(async () => {
    account = await configuredAccount('Planners');
    clusters = await createClusters(account);
    callsBefore = stack.provider.requests({ path: '/v1/chat/completions' }).length;
    // A slow provider keeps the run in AI_CALL long enough for polls to see it running.
    stack.provider.enqueue({ delayMs: 1000 });
    ({ taskId, seen, final } = await generate(account, { ids: clusters.map((c) => c.id) }));
  });

  it('ends in SUCCESS with ideas_created and the DONE message', () => {
    expect(final.state).toBe('SUCCESS');
    expect(final.meta).toMatchObject({ phase: 'DONE', percentage: 100, message: 'Idea generation complete' });
    // The demo provider proposes two ideas per cluster.
    expect(final.result).toEqual({ count: 4, ideas_created: 4, items: [{ id: 'batch', status: 'success' }] });
  });

  it('saves every idea of the answer field by field, in its cluster', async () => {
    const request = await stack.prisma.aIRequest.findUniqueOrThrow({ where: { taskId_itemKey: { taskId, itemKey: BATCH_ITEM_KEY } } });
    const answer = JSON.parse(request.responseText!).ideas as Array<Record<string, any>>;
    expect(answer).toHaveLength(4);
    const rows = await ideasOf(taskId);
    const clusterOf = new Map(clusters.map((c) => [c.id, c]));
    expect(rows.map((r) => ({ ...r, id: undefined, createdAt: undefined, updatedAt: undefined }))).toEqual(
      answer.map((idea, index) => ({
        id: undefined,
        accountId: account.accountId,
        siteId: clusterOf.get(idea.cluster_id)!.siteId,
        sectorId: clusterOf.get(idea.cluster_id)!.sectorId,
        clusterId: idea.cluster_id,
        ideaTitle: idea.title,
        description: JSON.stringify(idea.description),
        contentType: idea.content_type,
        contentStructure: idea.content_structure,
        targetKeywords: idea.covered_keywords,
        estimatedWordCount: idea.estimated_word_count,
        status: 'new',
        aiTaskId: taskId,
        aiItemIndex: index,
        createdAt: undefined,
        updatedAt: undefined,
      })),
    );
    expect(rows.map((r) => r.clusterId)).toEqual([clusters[0].id, clusters[0].id, clusters[1].id, clusters[1].id]);
    expect(JSON.parse(rows[0].description)).toHaveProperty('sections');
  });

  it('reports phases in order with a percentage that never goes backwards', () => {
    expectForwardProgress(seen);
    expect(seen.some((p) => p.state === 'PROGRESS' && p.meta.phase === 'AI_CALL')).toBe(true);
  });

  it("logs each phase's step with the documented messages", () => {
    const steps = stepsInOrder(final);
    expect(steps.map((s) => [s.status, s.message])).toEqual([
      ['success', 'Verifying cluster integrity'],
      ['success', 'Loading cluster keywords'],
      ['success', 'Generating ideas with Igny8 Semantic AI'],
      ['success', '4 high-opportunity idea(s) generated'],
      ['success', 'Content Outline for Ideas generated'],
    ]);
  });

  it('sends one request with the default prompt and the documented cluster lines', () => {
    expect(stack.provider.requests({ path: '/v1/chat/completions' })).toHaveLength(callsBefore + 1);
    const prompt = lastPrompt();
    const [shoes, marathon] = clusters;
    expect(prompt).toContain('You are a content strategist');
    expect(prompt).toContain(`Cluster ID: ${shoes.id} | Name: Running Shoes | Description: Choosing shoes for road and trail running`);
    expect(prompt).toContain(`Cluster ID: ${marathon.id} | Name: Marathon Training | Description: Plans and habits for a first marathon`);
    expect(prompt).toContain(`Cluster ID: ${shoes.id} | Name: Running Shoes | Keywords: best running shoes, trail running shoes`);
    expect(prompt).toContain(`Cluster ID: ${marathon.id} | Name: Marathon Training | Keywords: marathon training schedule, running plan for beginners`);
    expect(prompt).not.toContain('[IGNY8_');
  });

  it('records tokens and cost from the provider usage at gpt-4o-mini rates', async () => {
    const request = await stack.prisma.aIRequest.findUniqueOrThrow({ where: { taskId_itemKey: { taskId, itemKey: BATCH_ITEM_KEY } } });
    expect(request.inputTokens).toBeGreaterThan(0);
    expect(request.outputTokens).toBeGreaterThan(0);
    expect(final.meta.tokens).toBe(request.inputTokens + request.outputTokens);
    // gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
    expect(final.meta.cost).toBeCloseTo((request.inputTokens * 0.15 + request.outputTokens * 0.6) / 1e6, 10);
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
    expect(record).toMatchObject({ status: 'success', phase: 'DONE', functionName: 'generate_ideas', tokens: final.meta.tokens });
    expect(record.result).toEqual(final.result);
  });

  it('lists the ideas, filtered by cluster, status, ids and page', async () => {
    const rows = await ideasOf(taskId);
    const byCluster = await stack.api('GET', `/api/v1/planner/ideas/?cluster_id=${clusters[1].id}`, { key: account.apiKey });
    expect(byCluster.status).toBe(200);
    expect(byCluster.body.count).toBe(2);
    expect(byCluster.body.results.map((i: { id: number }) => i.id)).toEqual(rows.slice(2).map((r) => r.id));
    expect(byCluster.body.results[0]).toEqual({
      id: rows[2].id,
      idea_title: rows[2].ideaTitle,
      description: rows[2].description,
      content_type: rows[2].contentType,
      content_structure: rows[2].contentStructure,
      target_keywords: rows[2].targetKeywords,
      estimated_word_count: rows[2].estimatedWordCount,
      status: 'new',
      cluster_id: clusters[1].id,
      site_id: rows[2].siteId,
      sector_id: rows[2].sectorId,
      created_at: rows[2].createdAt.toISOString(),
    });
    const page = await stack.api('GET', '/api/v1/planner/ideas/?status=new&limit=1&offset=1', { key: account.apiKey });
    expect(page.body).toMatchObject({ success: true, count: 4, results: [{ id: rows[1].id }] });
    const picked = await stack.api('GET', `/api/v1/planner/ideas/?ids=${rows[0].id},${rows[3].id}`, { key: account.apiKey });
    expect(picked.body.results.map((i: { id: number }) => i.id)).toEqual([rows[0].id, rows[3].id]);
    const none = await stack.api('GET', '/api/v1/planner/ideas/?status=published', { key: account.apiKey });
    expect(none.body).toEqual({ success: true, count: 0, next: null, previous: null, results: [] });
  });

  it("hides the ideas from other accounts, even asked by id or cluster", async () => {
    const rows = await ideasOf(taskId);
    const other = await stack.createAccount('Idea snooper');
    for (const query of ['', `?ids=${rows.map((r) => r.id).join(',')}`, `?cluster_id=${clusters[0].id}`]) {
      const answer = await stack.api('GET', `/api/v1/planner/ideas/${query}`, { key: other.apiKey });
      expect(answer.body).toEqual({ success: true, count: 0, next: null, previous: null, results: [] });
    }
  });

  it('creates no idea twice when the save is retried', async () => {
    const { saveIdeas } = createGenerateIdeasActivities({ prisma: stack.prisma });
    const input: RunInput = { taskId, accountId: account.accountId, functionName: 'generate_ideas', ids: clusters.map((c) => c.id) };
    // A retry after the transaction committed returns the recorded outcome.
    const charge = await stack.prisma.creditUsageLog.findFirstOrThrow({ where: { taskId, itemKey: BATCH_ITEM_KEY, kind: 'charge' } });
    expect(await saveIdeas(input)).toEqual({ count: 4, counters: { ideas_created: 4 }, credits: charge.credits });
    // Even without that record, the (task, position) key keeps every idea single.
    await stack.prisma.aIRequest.update({ where: { taskId_itemKey: { taskId, itemKey: BATCH_ITEM_KEY } }, data: { saved: Prisma.DbNull } });
    expect(await saveIdeas(input)).toEqual({ count: 0, counters: { ideas_created: 0 } });
    expect(await stack.prisma.contentIdea.count({ where: { aiTaskId: taskId } })).toBe(4);
  });
});

describe('cluster matching and field mapping', () => {
  it('matches by cluster_id, then cluster_name, then position, and maps every field', async () => {
    const account = await configuredAccount('Matching');
    const [shoes, marathon] = await createClusters(account);
    const stranger = await stack.createAccount('Stranger');
    const [theirs] = await createClusters(stranger, CLUSTERS.slice(0, 1));
    const outline = { introduction: 'Why plans fail', sections: [{ heading: 'Long runs', subsections: [] }] };
    const ideas = [
      { title: 'Named', cluster_id: 99999999, cluster_name: 'marathon TRAINING', description: outline, target_keywords: ['marathon plan', 'long runs'] },
      {
        title: 'By id',
        cluster_id: shoes.id,
        cluster_name: 'Marathon Training',
        description: 'A plain outline',
        content_type: 'guide',
        content_structure: 'pillar_page',
        estimated_word_count: 2400,
        covered_keywords: 'best running shoes',
        target_keywords: 'ignored',
      },
      { title: 'By position', description: 42 },
      { title: 'Unknown name', cluster_name: 'Cycling' },
      { title: "Another account's cluster", cluster_id: theirs.id },
    ];
    stack.provider.enqueue({ content: JSON.stringify({ ideas }) });
    const { taskId, final } = await generate(account, { ids: [shoes.id, marathon.id] });
    expect(final.state).toBe('SUCCESS');
    expect(final.result).toMatchObject({ count: 5, ideas_created: 5 });
    expect(final.meta.response_steps.map((s) => s.message)).toContain('5 high-opportunity idea(s) generated');

    const rows = await ideasOf(taskId);
    const defaults = { contentType: 'blog_post', contentStructure: 'supporting_page', estimatedWordCount: 1500, targetKeywords: '', status: 'new' };
    expect(rows.map((r) => ({
      ideaTitle: r.ideaTitle,
      clusterId: r.clusterId,
      accountId: r.accountId,
      description: r.description,
      contentType: r.contentType,
      contentStructure: r.contentStructure,
      estimatedWordCount: r.estimatedWordCount,
      targetKeywords: r.targetKeywords,
      status: r.status,
    }))).toEqual([
      { ...defaults, ideaTitle: 'Named', clusterId: marathon.id, accountId: account.accountId, description: JSON.stringify(outline), targetKeywords: 'marathon plan, long runs' },
      {
        ...defaults,
        ideaTitle: 'By id',
        clusterId: shoes.id,
        accountId: account.accountId,
        description: 'A plain outline',
        contentType: 'guide',
        contentStructure: 'pillar_page',
        estimatedWordCount: 2400,
        targetKeywords: 'best running shoes',
      },
      { ...defaults, ideaTitle: 'By position', clusterId: shoes.id, accountId: account.accountId, description: '42' },
      { ...defaults, ideaTitle: 'Unknown name', clusterId: marathon.id, accountId: account.accountId, description: '' },
      { ...defaults, ideaTitle: "Another account's cluster", clusterId: shoes.id, accountId: account.accountId, description: '' },
    ]);
    expect(await stack.prisma.contentIdea.count({ where: { accountId: stranger.accountId } })).toBe(0);
  });
});

describe('answers that are not ideas fail at PARSE', () => {
  let account: TestAccount;
  let clusters: Cluster[];

  beforeAll(async () => {
    account = await configuredAccount('Unlucky');
    clusters = await createClusters(account);
  });

  it('fails a prose answer saying what was expected, and saves nothing', async () => {
    // Prose to the first question and to the re-ask.
    stack.provider.enqueue({ prose: true, times: 2 });
    const { taskId, final } = await generate(account, { ids: clusters.map((c) => c.id) });
    expect(final.state).toBe('FAILURE');
    expect(final.meta.phase).toBe('PARSE');
    expect(final.error).toMatch(/^The AI answer is not JSON: expected \{"ideas": \[\{"title"/);
    expect(await stack.prisma.contentIdea.count({ where: { accountId: account.accountId } })).toBe(0);
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
    expect(record).toMatchObject({ status: 'error', phase: 'PARSE', error: final.error });
  });

  it('fails an answer with no ideas', async () => {
    stack.provider.enqueue({ content: '{"ideas": []}', times: 2 });
    const { final } = await generate(account, { ids: clusters.map((c) => c.id) });
    expect(final).toMatchObject({ state: 'FAILURE', error: 'The AI answer holds no ideas: expected at least one idea in {"ideas": [...]}.' });
    expect(final.meta.phase).toBe('PARSE');
    expect(await stack.prisma.contentIdea.count({ where: { accountId: account.accountId } })).toBe(0);
  });
});

describe('prompt resolution: start override, then account prompt, then default', () => {
  let account: TestAccount;
  let clusters: Cluster[];

  beforeAll(async () => {
    account = await configuredAccount('Prompted');
    clusters = await createClusters(account);
    await stack.prisma.aIPrompt.create({
      data: { accountId: account.accountId, promptType: 'ideas', promptValue: 'ACCOUNT-PROMPT-7f3: answer JSON {"ideas": [{"title": "..."}]} for\n[IGNY8_CLUSTERS]' },
    });
  });

  it("uses the account's prompt over the default", async () => {
    const { final } = await generate(account, { ids: clusters.map((c) => c.id) });
    expect(final.state).toBe('SUCCESS');
    const prompt = lastPrompt();
    expect(prompt).toContain('ACCOUNT-PROMPT-7f3');
    expect(prompt).toContain(`Cluster ID: ${clusters[0].id} | Name: Running Shoes | Description: Choosing shoes for road and trail running`);
    expect(prompt).not.toContain('You are a content strategist');
  });

  it("uses the start body's prompt_override over the account's prompt", async () => {
    const override = 'OVERRIDE-PROMPT-2c9: answer JSON {"ideas": [{"title": "..."}]} for\n[IGNY8_CLUSTER_KEYWORDS]';
    const { final } = await generate(account, { ids: clusters.map((c) => c.id), prompt_override: override });
    expect(final.state).toBe('SUCCESS');
    const prompt = lastPrompt();
    expect(prompt).toContain('OVERRIDE-PROMPT-2c9');
    expect(prompt).toContain(`Cluster ID: ${clusters[1].id} | Name: Marathon Training | Keywords: marathon training schedule, running plan for beginners`);
    expect(prompt).not.toContain('ACCOUNT-PROMPT-7f3');
  });

  it('appends the cluster lines and the JSON instruction to an override that has neither', async () => {
    const { taskId, final } = await generate(account, { ids: clusters.map((c) => c.id), prompt_override: 'Suggest "ideas" for a running blog.' });
    expect(final.state).toBe('SUCCESS');
    const prompt = lastPrompt();
    expect(prompt.startsWith('Suggest "ideas" for a running blog.\n\nClusters:\n')).toBe(true);
    expect(prompt).toContain(`Cluster ID: ${clusters[0].id} | Name: Running Shoes | Keywords: best running shoes, trail running shoes`);
    expect(prompt.endsWith('Respond with valid JSON only.')).toBe(true);
    const rows = await ideasOf(taskId);
    expect(rows.map((r) => r.clusterId)).toEqual([clusters[0].id, clusters[0].id, clusters[1].id, clusters[1].id]);
  });
});

describe('INIT checks what the API cannot', () => {
  it('fails with the documented message when OpenAI settings are missing, once', async () => {
    const bare = await stack.createAccount('No settings');
    const clusters = await createClusters(bare);
    const started = await startIdeas(bare, { ids: clusters.map((c) => c.id) });
    expect(started.status).toBe(200);
    const seen = await stack.waitForTask(bare, started.body.task_id);
    const final = seen[seen.length - 1];
    expect(final).toMatchObject({
      state: 'FAILURE',
      error: `OpenAI IntegrationSettings not configured for account ${bare.accountId}. Please configure OpenAI settings in the integration page.`,
    });
    expect(final.meta.phase).toBe('INIT');
    // Local activities' markers are written when the workflow task ends, just after the record.
    await stack.temporal.workflow.getHandle(started.body.task_id).result().catch(() => undefined);
    const history = await stack.temporal.workflow.getHandle(started.body.task_id).fetchHistory();
    const validations = localActivityRuns(history.events!, 'startRun');
    expect(validations).toEqual([expect.objectContaining({ attempt: 1, closedAs: 'failed' })]);
    expect(await stack.prisma.contentIdea.count({ where: { accountId: bare.accountId } })).toBe(0);
  });

  it('fails naming the clusters deleted after the API accepted the task', async () => {
    const account = await configuredAccount('Vanishing');
    const clusters = await createClusters(account);
    const taskId = await startTask(
      { prisma: stack.prisma, temporal: stack.temporal, taskQueue: stack.taskQueue },
      generateIdeas,
      { accountId: account.accountId, ids: [clusters[0].id, 99999998, 99999999] },
    );
    const seen = await stack.waitForTask(account, taskId);
    expect(seen[seen.length - 1]).toMatchObject({
      state: 'FAILURE',
      error: 'Clusters not found for this account: 99999998, 99999999.',
      meta: { phase: 'INIT' },
    });
  });
});

describe('the start endpoint checks input and starts nothing it rejects', () => {
  let account: TestAccount;

  beforeAll(async () => {
    account = await configuredAccount('Checked');
  });

  const runCount = () => stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } });

  it('answers 400 for more than 10 clusters', async () => {
    const clusters = await createClusters(
      account,
      Array.from({ length: 11 }, (_, i) => ({ name: `Topic ${i}`, description: '', keywords: [] })),
    );
    const answer = await startIdeas(account, { ids: clusters.map((c) => c.id) });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ success: false, error: 'Too many ids: generate_ideas takes at most 10 clusters, got 11.', request_id: expect.any(String) });
    expect(await runCount()).toBe(0);
  });

  it("answers 404 listing another account's cluster", async () => {
    const other = await stack.createAccount('Owner');
    const [theirs] = await createClusters(other, CLUSTERS.slice(0, 1));
    const answer = await startIdeas(account, { ids: [theirs.id] });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ success: false, error: `Clusters not found: ${theirs.id}.`, request_id: expect.any(String) });
    expect(await runCount()).toBe(0);
  });

  it('answers 400 for empty ids', async () => {
    const answer = await startIdeas(account, { ids: [] });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain('ids');
    expect(await runCount()).toBe(0);
  });
});
