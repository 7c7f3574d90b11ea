import type { TaskProgress } from '../pipeline/progress';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';
import { expectForwardProgress, stepsInOrder } from './support/progress-checks';

const PATH = '/api/v1/writer/tasks/auto_generate_images/';
const IMAGE_SETTINGS = {
  provider: 'openai',
  model: 'dall-e-3',
  size: '1024x1024',
  max_in_article_images: 2,
  desktop_enabled: true,
  mobile_enabled: false,
};

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Image Batch');
  await stack.configureOpenAI(account);
  await putImageSettings(account, IMAGE_SETTINGS);
});

afterAll(async () => {
  await stack?.stop();
});

async function putImageSettings(owner: TestAccount, config: Record<string, unknown>, isActive = true) {
  const answer = await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', { key: owner.apiKey, body: { config, is_active: isActive } });
  expect(answer.status).toBe(200);
}

/** A writer task with its article (what generate_content leaves), or without one. */
async function writerTask(owner: TestAccount, title: string, withContent = true) {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
  const place = { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id };
  const task = await stack.prisma.writerTask.create({ data: { ...place, title, status: withContent ? 'completed' : 'queued' } });
  if (!withContent) return { task, content: undefined };
  const htmlContent = ['Picking a tent', 'Setting up camp'].map((h) => `<h2>${h}</h2>\n<p>About ${h.toLowerCase()}.</p>`).join('\n');
  const content = await stack.prisma.content.create({ data: { ...place, taskId: task.id, title, htmlContent, wordCount: 12 } });
  return { task, content };
}

async function start(owner: TestAccount, ids: number[]) {
  return stack.api('POST', PATH, { key: owner.apiKey, body: { ids } });
}

describe('POST /api/v1/writer/tasks/auto_generate_images/', () => {
  it('extracts the prompts of each task\'s content, then draws the images, in one task with one progress answer', async () => {
    const first = await writerTask(account, 'Camping in the Rain');
    const second = await writerTask(account, 'Winter Camping');
    const started = await start(account, [first.task.id, second.task.id]);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ success: true, message: 'Image generation started' });
    const taskId: string = started.body.task_id;
    expect(taskId).toMatch(/^auto_generate_images-a\d+-/);

    const seen = await stack.waitForTask(account, taskId, { timeoutMs: 90_000 });
    const final = seen[seen.length - 1];
    expect(final.state).toBe('SUCCESS');
    expectForwardProgress(seen);
    expect(final.meta).toMatchObject({ phase: 'DONE', percentage: 100, message: 'Images for tasks complete' });

    // Each content: a featured image and two desktop in-article images, all drawn.
    const images = await stack.prisma.image.findMany({ where: { contentId: { in: [first.content!.id, second.content!.id] } } });
    expect(images).toHaveLength(6);
    expect(images.every((image) => image.status === 'generated' && image.imageUrl)).toBe(true);
    expect(final.result).toEqual({
      count: 6,
      prompts_created: 6,
      images_generated: 6,
      items: [
        { id: first.task.id, status: 'success' },
        { id: second.task.id, status: 'success' },
      ],
    });

    // The step log covers both child runs, in order; cost and tokens are their sums.
    const names = stepsInOrder(final).map((step) => step.stepName);
    expect(names[0]).toBe('Validate input');
    expect(names).toContain('Image prompts: AI request: Camping in the Rain');
    expect(names).toContain('Find images to generate');
    expect(names.filter((name) => name.startsWith('Images: AI request:'))).toHaveLength(6);
    expect(names.indexOf('Find images to generate')).toBeGreaterThan(names.indexOf('Image prompts: Save: Winter Camping'));
    expect(stepsInOrder(final).map((step) => step.stepNumber)).toEqual(names.map((_, i) => i + 1));
    const childRequests = await stack.prisma.aIRequest.findMany({ where: { taskId: { startsWith: `${taskId}-` } } });
    const tokens = childRequests.reduce((sum, r) => sum + r.inputTokens + r.outputTokens, 0);
    const cost = childRequests.reduce((sum, r) => sum + r.cost, 0);
    expect(final.meta.tokens).toBe(tokens);
    expect(final.meta.cost).toBeCloseTo(cost, 8);
    expect(tokens).toBeGreaterThan(0);
    expect(cost).toBeGreaterThan(0);

    // The phases the composed answer passed through, in order: the children's mapped onto one run.
    const phases = [...new Set(seen.map((p) => p.meta.phase))];
    expect(phases[phases.length - 1]).toBe('DONE');
    expect(phases).toContain('AI_CALL');

    // Each child is a run of its own in Temporal, started by the parent.
    for (const child of ['generate_image_prompts', 'generate_images']) {
      const description = await stack.temporal.workflow.getHandle(`${taskId}-${child}`).describe();
      expect(description.status.name).toBe('COMPLETED');
      expect(description.parentExecution?.workflowId).toBe(taskId);
      expect(description.searchAttributes).toMatchObject({ AiFunction: [child], AiAccount: [String(account.accountId)] });
    }

    // The run record is complete like every task's.
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
    expect(record).toMatchObject({ status: 'success', functionName: 'auto_generate_images', phase: 'DONE' });
  });

  it('refuses a task without content with a 400 naming it, and starts nothing', async () => {
    const done = await writerTask(account, 'Hiking Boots');
    const bare = await writerTask(account, 'Trail Snacks', false);
    const before = await stack.prisma.aITaskLog.count();
    const answer = await start(account, [done.task.id, bare.task.id]);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      success: false,
      error: `Writer tasks without content: ${bare.task.id}. Run generate_content for them first.`,
      request_id: expect.any(String),
    });
    expect(await stack.prisma.aITaskLog.count()).toBe(before);
  });

  it("refuses another account's task as not found, and more than 50 ids", async () => {
    const other = await stack.createAccount('Other');
    const theirs = await writerTask(other, 'Not Yours');
    expect((await start(account, [theirs.task.id])).status).toBe(404);
    const tooMany = await start(account, Array.from({ length: 51 }, (_, i) => i + 1));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/at most 50 tasks/);
  });

  it('fails with the child run\'s message when settings are missing, and a retry after fixing them succeeds', async () => {
    const owner = await stack.createAccount('No Image Settings');
    await stack.configureOpenAI(owner);
    const { task } = await writerTask(owner, 'Lakeside Camping');
    const started = await start(owner, [task.id]);
    const seen = await stack.waitForTask(owner, started.body.task_id);
    const failed = seen[seen.length - 1];
    expect(failed.state).toBe('FAILURE');
    expect(failed.error).toMatch(/^Image generation settings not configured for account/);
    expectForwardProgress(seen);

    await putImageSettings(owner, IMAGE_SETTINGS);
    const retried = await stack.api('POST', `/api/v1/system/tasks/${started.body.task_id}/retry/`, { key: owner.apiKey });
    expect(retried.status).toBe(200);
    const after = await stack.waitForTask(owner, retried.body.task_id, { timeoutMs: 90_000 });
    expect(after[after.length - 1]).toMatchObject({ state: 'SUCCESS', result: { images_generated: 3 } });
  });

  it('a cancelled task ends REVOKED with its children cancelled', async () => {
    const { task } = await writerTask(account, 'Slow Camping');
    stack.provider.enqueue({ delayMs: 15_000 });
    const started = await start(account, [task.id]);
    const taskId: string = started.body.task_id;
    await waitUntil(async () => {
      const answer = await stack.api<TaskProgress>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
      return answer.body.meta.phase === 'AI_CALL';
    });
    expect((await stack.api('POST', `/api/v1/system/tasks/${taskId}/cancel/`, { key: account.apiKey })).status).toBe(200);
    const seen = await stack.waitForTask(account, taskId);
    expect(seen[seen.length - 1].state).toBe('REVOKED');
    const child = await stack.temporal.workflow.getHandle(`${taskId}-generate_image_prompts`).describe();
    expect(child.status.name).toBe('CANCELLED');
  });
});

describe('GET /api/v1/system/tasks/{task_id}/status/', () => {
  it('answers what the task_progress endpoint answers, for the same task and account only', async () => {
    const { task } = await writerTask(account, 'Status Check');
    const started = await start(account, [task.id]);
    const taskId: string = started.body.task_id;
    await stack.waitForTask(account, taskId, { timeoutMs: 90_000 });
    const progress = await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: account.apiKey });
    const status = await stack.api('GET', `/api/v1/system/tasks/${taskId}/status/`, { key: account.apiKey });
    expect(status.status).toBe(200);
    expect(status.body).toEqual(progress.body);
    const other = await stack.createAccount('Someone Else');
    expect((await stack.api('GET', `/api/v1/system/tasks/${taskId}/status/`, { key: other.apiKey })).status).toBe(404);
    expect((await stack.api('GET', `/api/v1/system/tasks/${taskId}/status/`)).status).toBe(401);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
