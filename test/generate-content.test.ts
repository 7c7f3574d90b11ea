import { PHASES } from '../pipeline/phases';
import { createGenerateContentActivities } from '../functions/generate-content/activities';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';
import { stepsInOrder } from './support/progress-checks';
import { localActivityRuns } from './support/history-steps';

const OUTLINE = {
  introduction: 'Why fit matters more than looks.',
  sections: [
    {
      heading: 'Choosing the Size',
      subsections: [{ subheading: 'Measure Your Feet', content_type: 'paragraph', details: 'Measure in the evening, when feet are largest.' }],
    },
    { heading: 'Breaking Them In', subsections: [{ subheading: 'The First Week', content_type: 'list', details: 'Short runs only.' }] },
  ],
};

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Writers');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

interface TaskInput {
  title: string;
  description?: string;
  keywords?: string;
  cluster_id?: number;
  idea_id?: number;
  prompt_override?: string;
  meta_title?: string;
  meta_description?: string;
}

async function createTasks(owner: TestAccount, tasks: TaskInput[]): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/writer/tasks/', { key: owner.apiKey, body: { tasks } });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

async function createCluster(owner: TestAccount, name: string, description: string) {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
  return stack.prisma.cluster.create({ data: { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id, name, description } });
}

async function startContent(owner: TestAccount, body: unknown) {
  return stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: owner.apiKey, body });
}

/** Starts generate_content and waits for its end; also returns the chat requests the provider got meanwhile. */
async function runContent(owner: TestAccount, body: { ids: number[]; prompt_override?: string }) {
  const before = chatRequests().length;
  const started = await startContent(owner, body);
  expect(started.status).toBe(200);
  expect(started.body).toEqual({ success: true, task_id: expect.stringMatching(/^generate_content-/), message: 'Content generation started' });
  const seen = await stack.waitForTask(owner, started.body.task_id);
  return { taskId: started.body.task_id as string, seen, final: seen[seen.length - 1], prompts: chatRequests().slice(before).map(promptOf) };
}

function chatRequests() {
  return stack.provider.requests({ path: '/v1/chat/completions' });
}

function promptOf(request: { body: unknown }): string {
  return (request.body as { messages: Array<{ content: string }> }).messages.map((m) => m.content).join('\n');
}

describe('generate_content writes one article per writer task', () => {
  const titles = ['How to Choose Running Shoes', 'Trail Running for Beginners', 'Marathon Training Schedule Explained'];
  let ids: number[];
  let run: Awaited<ReturnType<typeof runContent>>;

  beforeAll(async () => {
    const shoes = await createCluster(account, 'Running Shoes', 'Shoes for every kind of runner');
    const trails = await createCluster(account, 'Trail Running', 'Running off road');
    const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: account.sectorId } });
    const idea = await stack.prisma.contentIdea.create({
      data: {
        accountId: account.accountId,
        siteId: sector.siteId,
        sectorId: sector.id,
        clusterId: shoes.id,
        ideaTitle: titles[0],
        description: JSON.stringify(OUTLINE),
        contentType: 'guide',
        contentStructure: 'cluster_hub',
        targetKeywords: 'running shoes, shoe fit',
        estimatedWordCount: 1800,
      },
    });
    ids = await createTasks(account, [
      { title: titles[0], description: 'A buyer guide to running shoes.', idea_id: idea.id },
      { title: titles[1], description: 'Getting started off road.', keywords: 'trail running, beginner trails', cluster_id: trails.id },
      { title: titles[2], description: 'Week by week.', keywords: 'marathon training', meta_title: 'Marathon Plan', meta_description: 'A plan.' },
    ]);
    // Slow answers keep each item in AI_CALL long enough for polls to see it.
    stack.provider.enqueue({ delayMs: 700, times: 3 });
    run = await runContent(account, { ids });
  });

  it('ends in SUCCESS with one success per task and the result counters summed', async () => {
    const contents = await stack.prisma.content.findMany({ where: { taskId: { in: ids } } });
    expect(run.final.state).toBe('SUCCESS');
    expect(run.final.meta).toMatchObject({ phase: 'DONE', percentage: 100, message: 'Content generation complete' });
    expect(run.final.result).toEqual({
      count: 3,
      tasks_updated: 3,
      word_count: contents.reduce((sum, c) => sum + c.wordCount, 0),
      items: ids.map((id) => ({ id, status: 'success' })),
    });
  });

  it('saves each answer into its task’s Content, field by field, as a draft', async () => {
    for (const [index, id] of ids.entries()) {
      const task = await stack.prisma.writerTask.findUniqueOrThrow({ where: { id } });
      const content = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: id } });
      const request = await stack.prisma.aIRequest.findUniqueOrThrow({ where: { taskId_itemKey: { taskId: run.taskId, itemKey: String(id) } } });
      const answer = JSON.parse(request.responseText!);
      expect(content).toMatchObject({
        accountId: account.accountId,
        siteId: task.siteId,
        sectorId: task.sectorId,
        title: titles[index],
        htmlContent: answer.content,
        wordCount: answer.word_count,
        metaTitle: answer.meta_title,
        metaDescription: answer.meta_description,
        primaryKeyword: answer.primary_keyword,
        secondaryKeywords: answer.secondary_keywords,
        tags: answer.tags,
        categories: answer.categories,
        metadata: {},
        status: 'draft',
      });
      expect(answer.title).toBe(titles[index]);
      expect(task.status).toBe('completed');
    }
    const first = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: ids[0] } });
    // The idea's keywords and cluster reached the model: the demo writes about them.
    expect(first.primaryKeyword).toBe('running shoes');
    expect(first.categories).toEqual(['Running Shoes']);
    expect(first.htmlContent).toContain('<h2>Choosing the Size</h2>');
  });

  it('sends one chat completion per task, each with its own title and brief', () => {
    expect(run.prompts).toHaveLength(3);
    // The calls run side by side: they arrive in any order.
    const promptOf = (title: string) => run.prompts.find((p) => p.includes(`Title: ${title}`))!;
    for (const title of titles) {
      expect(promptOf(title)).toBeDefined();
      for (const other of titles.filter((t) => t !== title)) expect(promptOf(title)).not.toContain(other);
    }
    expect(promptOf(titles[0])).toContain(
      [
        'Article Type: guide',
        'Structure: cluster_hub',
        'Estimated Word Count: 1800',
        'Outline:',
        'Introduction: Why fit matters more than looks.',
        '## Choosing the Size',
        '### Measure Your Feet',
        'Content Type: paragraph',
        'Details: Measure in the evening, when feet are largest.',
      ].join('\n'),
    );
    expect(promptOf(titles[0])).toContain('Cluster Name: Running Shoes\nDescription: Shoes for every kind of runner\nStatus: active');
    expect(promptOf(titles[0])).toContain('Keywords: running shoes, shoe fit');
    expect(promptOf(titles[1])).toContain('Cluster Name: Trail Running');
    expect(promptOf(titles[1])).toContain('Keywords: trail running, beginner trails');
    expect(promptOf(titles[2])).toContain('Cluster:\nNone');
  });

  it('reports per-item progress: current counts finished tasks, current_item names one being written', () => {
    const running = run.seen.filter((p) => p.state === 'PROGRESS' && p.meta.total === 3);
    expect(running.some((p) => p.meta.phase === 'AI_CALL')).toBe(true);
    for (const p of running) if (p.meta.current_item !== undefined) expect(titles).toContain(p.meta.current_item);
    // The running answers' counts (the final answer, from the run record, has the result instead).
    const currents = run.seen.filter((p) => p.state === 'PROGRESS').map((p) => p.meta.current ?? 0);
    expect(currents).toEqual([...currents].sort((a, b) => a - b));
    expect(Math.max(...currents)).toBeLessThanOrEqual(3);
    expect(run.final.result).toMatchObject({ count: 3 });
    const percentages = run.seen.map((p) => p.meta.percentage);
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b));
    const phases = run.seen.map((p) => PHASES.indexOf(p.meta.phase));
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
  });

  it("logs each phase's step with the documented messages, grouped per task in task order", () => {
    const steps = stepsInOrder(run.final);
    expect(steps.slice(0, 5).map((s) => s.message)).toEqual([
      'Validating task',
      'Preparing content idea',
      ...titles.map(() => 'Writing article with Igny8 Semantic AI'),
    ]);
    expect(steps.slice(2, 5).map((s) => s.stepName)).toEqual(titles.map((t) => `AI request: ${t}`));
    // Each task's parse and save, in task order; the parse messages count the articles as they came.
    const responses = steps.slice(5);
    expect(responses.map((s) => s.stepName)).toEqual(titles.flatMap((t) => [`Parse answer: ${t}`, `Save: ${t}`]));
    expect(responses.filter((_, i) => i % 2 === 1).map((s) => s.message)).toEqual(titles.map(() => 'Saving article'));
    expect(
      responses
        .filter((_, i) => i % 2 === 0)
        .map((s) => s.message)
        .sort(),
    ).toEqual(['1 article(s) created', '2 article(s) created', '3 article(s) created']);
  });

  it('adds up tokens and cost of the three calls from the pricing table', async () => {
    const requests = await stack.prisma.aIRequest.findMany({ where: { taskId: run.taskId } });
    expect(requests).toHaveLength(3);
    const tokens = requests.reduce((sum, r) => sum + r.inputTokens + r.outputTokens, 0);
    // gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
    const cost = requests.reduce((sum, r) => sum + (r.inputTokens * 0.15 + r.outputTokens * 0.6) / 1e6, 0);
    expect(run.final.meta.tokens).toBe(tokens);
    expect(tokens).toBeGreaterThan(0);
    expect(run.final.meta.cost).toBeCloseTo(cost, 8);
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: run.taskId } });
    expect(record).toMatchObject({ status: 'success', functionName: 'generate_content', tokens });
  });

  it('a save repeated after the run (a retried activity) returns its recorded outcome and writes nothing', async () => {
    const { saveArticle } = createGenerateContentActivities({ prisma: stack.prisma });
    const before = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: ids[1] } });
    const input = { taskId: run.taskId, accountId: account.accountId, functionName: 'generate_content' as const, ids };
    const again = await saveArticle(input, { itemKey: String(ids[1]), itemId: ids[1], label: titles[1], promptChars: 1 });
    const charge = await stack.prisma.creditUsageLog.findFirstOrThrow({ where: { taskId: run.taskId, itemKey: String(ids[1]), kind: 'charge' } });
    expect(again).toEqual({ count: 1, counters: { tasks_updated: 1, word_count: before.wordCount }, credits: charge.credits });
    const after = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: ids[1] } });
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await stack.prisma.content.count({ where: { taskId: { in: ids } } })).toBe(3);
  });

  it('keeps the articles in the database: no activity result in the history carries one', async () => {
    await stack.temporal.workflow.getHandle(run.taskId).result();
    const history = await stack.temporal.workflow.getHandle(run.taskId).fetchHistory();
    const results = [
      ...history.events!.flatMap((e) => e.activityTaskCompletedEventAttributes?.result?.payloads ?? []).map((p) => Buffer.from(p.data!).toString('utf8')),
      ...localActivityRuns(history.events!).flatMap((r) => r.results),
    ];
    expect(localActivityRuns(history.events!, 'finishItem').length).toBeGreaterThan(0);
    for (const text of results) {
      expect(text).not.toMatch(/<h2>|<p>/);
      expect(text.length).toBeLessThan(1000);
    }
  });
});

describe('answers and failures per task', () => {
  it('normalises a plain-text answer into clean HTML and falls back to the task for the rest', async () => {
    const [id] = await createTasks(account, [{ title: 'Stretching After a Long Run', description: 'Why and how to stretch.' }]);
    stack.provider.enqueue({
      content: '# Stretching Basics\r\n\r\nSome text with **bold** words & <care>.\n\n- warm up\n- cool down\n\n<script>alert(1)</script>',
      match: 'Stretching After a Long Run',
    });
    const { final } = await runContent(account, { ids: [id] });
    expect(final.state).toBe('SUCCESS');
    const content = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: id } });
    expect(content).toMatchObject({
      htmlContent:
        '<h2>Stretching Basics</h2>\n<p>Some text with <strong>bold</strong> words &amp; &lt;care&gt;.</p>\n<ul>\n<li>warm up</li>\n<li>cool down</li>\n</ul>',
      wordCount: 12,
      title: 'Stretching After a Long Run',
      metaTitle: 'Stretching After a Long Run',
      metaDescription: 'Why and how to stretch.',
      primaryKeyword: '',
      tags: [],
      status: 'draft',
    });
    expect(final.result).toMatchObject({ count: 1, tasks_updated: 1, word_count: 12 });
  });

  it("records a task's failed call or unusable answer in result.items and saves the others", async () => {
    const titles = ['Hydration for Runners', 'Rejected Article About Gels', 'Title Only Article About Socks'];
    const ids = await createTasks(account, titles.map((title) => ({ title })));
    stack.provider.enqueue([
      { status: 400, match: 'Rejected Article About Gels' },
      // Unusable to the re-ask too.
      { content: '{"title": "Only a title, no article"}', match: 'Title Only Article About Socks', times: 2 },
    ]);
    const { final, prompts } = await runContent(account, { ids });
    expect(final.state).toBe('SUCCESS');
    expect(final.result).toMatchObject({ count: 1, tasks_updated: 1 });
    expect(final.result!.items).toEqual([
      { id: ids[0], status: 'success' },
      { id: ids[1], status: 'failed', error: expect.stringContaining('The AI provider rejected the request (400)') },
      { id: ids[2], status: 'failed', error: expect.stringContaining('The AI answer holds no article') },
    ]);
    // A 4xx is not retried: one call per task, and one re-ask of the unusable answer.
    expect(prompts).toHaveLength(4);
    expect(prompts.filter((p) => p.includes('Title: Title Only Article About Socks'))).toHaveLength(2);
    const contents = await stack.prisma.content.findMany({ where: { taskId: { in: ids } } });
    expect(contents.map((c) => c.taskId)).toEqual([ids[0]]);
    const statuses = await stack.prisma.writerTask.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    expect(statuses.map((t) => t.status)).toEqual(['completed', 'queued', 'queued']);
    const failedStep = final.meta.request_steps.find((s) => s.stepName === `AI request: ${titles[1]}`);
    expect(failedStep).toMatchObject({ status: 'error', error: expect.stringContaining('(400)') });
  });

  it('fails the run when every task fails', async () => {
    const ids = await createTasks(account, [{ title: 'Doomed Article One' }, { title: 'Doomed Article Two' }]);
    stack.provider.enqueue([
      { status: 400, match: 'Doomed Article One' },
      { status: 400, match: 'Doomed Article Two' },
    ]);
    const { final } = await runContent(account, { ids });
    expect(final.state).toBe('FAILURE');
    expect(final.error).toMatch(/^Every item failed; the first: The AI provider rejected the request \(400\)/);
    expect(await stack.prisma.content.count({ where: { taskId: { in: ids } } })).toBe(0);
  });

  it("rerunning a task rewrites its one Content as a new draft instead of adding a second", async () => {
    const [id] = await createTasks(account, [{ title: 'Recovery Days Explained' }]);
    const first = await runContent(account, { ids: [id] });
    expect(first.final.state).toBe('SUCCESS');
    const before = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: id } });
    await stack.prisma.content.update({ where: { id: before.id }, data: { status: 'published' } });

    stack.provider.enqueue({ content: '## Second Version\n\nRewritten text.', match: 'Recovery Days Explained' });
    const second = await runContent(account, { ids: [id] });
    expect(second.final.state).toBe('SUCCESS');
    const rows = await stack.prisma.content.findMany({ where: { taskId: id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: before.id, htmlContent: '<h2>Second Version</h2>\n<p>Rewritten text.</p>', wordCount: 4, status: 'draft' });
    expect(rows[0].htmlContent).not.toBe(before.htmlContent);
  });
});

describe('prompt resolution: task override, then start override, then account prompt, then default', () => {
  let owner: TestAccount;
  let ids: number[];
  const own = 'Tempo Runs With Their Own Prompt';
  const plain = 'Interval Training Without a Prompt';

  const promptFor = (prompts: string[], title: string) => prompts.find((p) => p.includes(`Title: ${title}`))!;

  beforeAll(async () => {
    owner = await stack.createAccount('Prompts');
    await stack.configureOpenAI(owner);
    ids = await createTasks(owner, [
      { title: own, prompt_override: 'TASK OVERRIDE. Write the article as JSON with "content", "title" and "meta_title".\n[IGNY8_IDEA]' },
      { title: plain },
    ]);
  });

  it('uses the built-in default when nothing overrides it', async () => {
    const { final, prompts } = await runContent(owner, { ids });
    expect(final.state).toBe('SUCCESS');
    expect(promptFor(prompts, own)).toMatch(/^TASK OVERRIDE/);
    expect(promptFor(prompts, plain)).toMatch(/^You are an expert writer/);
  });

  it("uses the account's content_generation prompt over the default", async () => {
    await stack.prisma.aIPrompt.create({
      data: { accountId: owner.accountId, promptType: 'content_generation', promptValue: 'ACCOUNT PROMPT as JSON with "content", "title", "meta_title".\n[IGNY8_IDEA]\nKeywords: [IGNY8_KEYWORDS]' },
    });
    const { final, prompts } = await runContent(owner, { ids });
    expect(final.state).toBe('SUCCESS');
    expect(promptFor(prompts, own)).toMatch(/^TASK OVERRIDE/);
    expect(promptFor(prompts, plain)).toMatch(/^ACCOUNT PROMPT/);
  });

  it("uses the start request's prompt_override over the account's, and the task's over both", async () => {
    const { final, prompts } = await runContent(owner, { ids, prompt_override: 'BODY OVERRIDE as JSON with "content", "title", "meta_title".\n[IGNY8_IDEA]' });
    expect(final.state).toBe('SUCCESS');
    expect(promptFor(prompts, own)).toMatch(/^TASK OVERRIDE/);
    expect(promptFor(prompts, plain)).toMatch(/^BODY OVERRIDE/);
  });

  it('gives an override without placeholders the brief, and the JSON format JSON mode needs', async () => {
    const { final, prompts } = await runContent(owner, { ids: [ids[1]], prompt_override: 'Write warmly, for new runners.' });
    expect(final.state).toBe('SUCCESS');
    const prompt = promptFor(prompts, plain);
    expect(prompt).toMatch(/^Write warmly, for new runners\.\n\nTitle: Interval Training Without a Prompt\n/);
    expect(prompt).toContain('Answer with JSON only, in this format:');
    const content = await stack.prisma.content.findUniqueOrThrow({ where: { taskId: ids[1] } });
    expect(content.title).toBe(plain);
  });
});

describe('checks before and at INIT', () => {
  it('fails at INIT with the documented message when OpenAI settings are missing, once, writing nothing', async () => {
    const bare = await stack.createAccount('No settings');
    const ids = await createTasks(bare, [{ title: 'An Article Never Written' }]);
    const started = await startContent(bare, { ids });
    expect(started.status).toBe(200);
    const seen = await stack.waitForTask(bare, started.body.task_id);
    const final = seen[seen.length - 1];
    expect(final).toMatchObject({
      state: 'FAILURE',
      meta: { phase: 'INIT' },
      error: `OpenAI IntegrationSettings not configured for account ${bare.accountId}. Please configure OpenAI settings in the integration page.`,
    });
    // Local activities' markers are written when the workflow task ends, just after the record.
    await stack.temporal.workflow.getHandle(started.body.task_id).result().catch(() => undefined);
    const history = await stack.temporal.workflow.getHandle(started.body.task_id).fetchHistory();
    const validations = localActivityRuns(history.events!, 'startRun');
    expect(validations).toEqual([expect.objectContaining({ attempt: 1, closedAs: 'failed' })]);
    expect(await stack.prisma.content.count({ where: { accountId: bare.accountId } })).toBe(0);
    expect((await stack.prisma.writerTask.findUniqueOrThrow({ where: { id: ids[0] } })).status).toBe('queued');
  });

  it('answers 400 for more than 50 tasks and 404 for unknown or foreign ones, starting nothing', async () => {
    const runs = () => stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } });
    const before = await runs();
    const tooMany = await startContent(account, { ids: Array.from({ length: 51 }, (_, i) => i + 1) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ success: false, error: 'Too many ids: generate_content takes at most 50 tasks, got 51.', request_id: expect.any(String) });

    const other = await stack.createAccount('Other writers');
    const theirs = await createTasks(other, [{ title: 'Not Yours' }]);
    const foreign = await startContent(account, { ids: [...theirs, 99999999] });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ success: false, error: `Tasks not found: ${theirs[0]}, 99999999.`, request_id: expect.any(String) });
    expect(await runs()).toBe(before);
  });
});
