import { createHash } from 'node:crypto';
import type { TaskProgress } from '../pipeline/progress';
import { IMAGE_PROMPTS_EXPECTED } from '../functions/generate-image-prompts/answer';
import { buildImagePromptsAnswer } from '../tools/demo-provider/answers';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';
import { RUNWARE_TEST_KEY } from './support/provider-keys';
import { stepsInOrder } from './support/progress-checks';

const IMAGE_SETTINGS = {
  provider: 'openai',
  model: 'dall-e-3',
  size: '1024x1024',
  image_type: 'realistic',
  image_format: 'webp',
  max_in_article_images: 2,
  desktop_enabled: true,
  mobile_enabled: true,
};
const RUNWARE_KEY = RUNWARE_TEST_KEY;
const HEADINGS = ['Choosing trail shoes', 'Reading the terrain', 'Staying safe on the trail'];

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Trail Blog');
  await stack.configureOpenAI(account);
  await putIntegration(account, 'image_generation', IMAGE_SETTINGS);
});

afterAll(async () => {
  await stack?.stop();
});

async function putIntegration(owner: TestAccount, type: string, config: Record<string, unknown>, isActive = true) {
  const answer = await stack.api('PUT', `/api/v1/system/settings/integrations/${type}/`, { key: owner.apiKey, body: { config, is_active: isActive } });
  expect(answer.status).toBe(200);
}

/** A writer task and its article, written directly: these tests start where generate_content ends. */
async function createArticle(owner: TestAccount, title: string, headings = HEADINGS) {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
  const place = { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id };
  const task = await stack.prisma.writerTask.create({ data: { ...place, title, status: 'completed' } });
  const htmlContent = headings.map((h) => `<h2>${h}</h2>\n<p>What to know about ${h.toLowerCase()}.</p>`).join('\n');
  const content = await stack.prisma.content.create({ data: { ...place, taskId: task.id, title, htmlContent, wordCount: 40 } });
  return { task, content };
}

/** Image rows with prompts, written directly, for the generate_images cases. */
async function createImages(owner: TestAccount, title: string, prompts: string[]) {
  const { task, content } = await createArticle(owner, title);
  const ids: number[] = [];
  for (const [position, prompt] of prompts.entries()) {
    const image = await stack.prisma.image.create({
      data: { accountId: owner.accountId, contentId: content.id, taskId: task.id, imageType: position === 0 ? 'featured' : 'desktop', position, prompt },
    });
    ids.push(image.id);
  }
  return { task, content, ids };
}

async function run(owner: TestAccount, path: string, ids: number[]) {
  const started = await stack.api('POST', path, { key: owner.apiKey, body: { ids } });
  expect(started.status).toBe(200);
  const seen = await stack.waitForTask(owner, started.body.task_id);
  return { taskId: started.body.task_id as string, seen, final: seen[seen.length - 1] };
}

const extractPrompts = (owner: TestAccount, ids: number[]) => run(owner, '/api/v1/writer/content/generate_image_prompts/', ids);
const generateImages = (owner: TestAccount, ids: number[]) => run(owner, '/api/v1/writer/images/generate_images/', ids);

function stepMessages(progress: TaskProgress): string[] {
  const steps = stepsInOrder(progress);
  return [...new Set(steps.map((s) => s.message))];
}

function lastUserMessage(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages;
  return messages.filter((m) => m.role === 'user').at(-1)!.content;
}

async function imagesOf(contentId: number) {
  return stack.prisma.image.findMany({ where: { contentId }, orderBy: [{ position: 'asc' }, { imageType: 'asc' }] });
}

describe('generate_image_prompts end to end', () => {
  let article: Awaited<ReturnType<typeof createArticle>>;
  let first: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    stack.provider.reset();
    article = await createArticle(account, 'Trail Running for Beginners');
    first = await extractPrompts(account, [article.content.id]);
  });

  it('ends in SUCCESS counting the prompts, with the item reported', () => {
    expect(first.final.state).toBe('SUCCESS');
    expect(first.final.meta.message).toBe('Image prompts complete');
    expect(first.final.result).toEqual({ count: 3, prompts_created: 3, items: [{ id: article.content.id, status: 'success' }] });
  });

  it("logs each phase's step with the documented messages", () => {
    expect(stepMessages(first.final)).toEqual([
      'Validating content',
      'Preparing image prompt extraction',
      'Extracting image prompts',
      'Processing image prompts',
      'Saving image prompts',
    ]);
  });

  it('sends the title, the article and the in-article limit to the text model', () => {
    const calls = stack.provider.requests({ path: '/v1/chat/completions' });
    expect(calls).toHaveLength(1);
    const prompt = lastUserMessage(calls[0].body);
    expect(prompt).toContain('Title: Trail Running for Beginners');
    for (const heading of HEADINGS) expect(prompt).toContain(`<h2>${heading}</h2>`);
    expect(prompt).toContain('up to\n2 in-article images');
    expect(calls[0].answerKind).toBe('image_prompts');
  });

  it('saves a featured row and each of 2 in-article prompts as desktop and mobile rows, pending', async () => {
    const answer = buildImagePromptsAnswer(lastUserMessage(stack.provider.requests({ path: '/v1/chat/completions' })[0].body));
    expect(answer.in_article_prompts.length).toBe(2);
    const [one, two] = answer.in_article_prompts;
    const rows = await imagesOf(article.content.id);
    const expected = [
      ['featured', 0, answer.featured_prompt],
      ['desktop', 1, one],
      ['mobile', 1, one],
      ['desktop', 2, two],
      ['mobile', 2, two],
    ];
    expect(rows.map((r) => [r.imageType, r.position, r.prompt])).toEqual(expected);
    for (const row of rows) {
      expect(row).toMatchObject({
        accountId: account.accountId,
        contentId: article.content.id,
        taskId: article.task.id,
        imageUrl: null,
        provider: null,
        model: null,
        cost: 0,
        status: 'pending',
      });
    }
  });

  it('a rerun keeps the same rows: no duplicates', async () => {
    const before = await imagesOf(article.content.id);
    const again = await extractPrompts(account, [article.content.id]);
    expect(again.final.state).toBe('SUCCESS');
    expect(again.final.result).toMatchObject({ prompts_created: 3 });
    const after = await imagesOf(article.content.id);
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(after.map((r) => r.prompt)).toEqual(before.map((r) => r.prompt));
  });

  it("caps in-article prompts at the account's limit and makes rows only for enabled variants", async () => {
    const capped = await stack.createAccount('Capped');
    await stack.configureOpenAI(capped);
    await putIntegration(capped, 'image_generation', { ...IMAGE_SETTINGS, max_in_article_images: 1, mobile_enabled: false });
    const { content } = await createArticle(capped, 'Hill Repeats');
    const wordy = { featured_prompt: 'A runner cresting a hill', in_article_prompts: ['Legs mid-stride', 'A steep path', 'A watch', 'A water bottle'] };
    stack.provider.enqueue({ content: JSON.stringify(wordy) });
    const { final } = await extractPrompts(capped, [content.id]);
    expect(final.result).toMatchObject({ count: 2, prompts_created: 2 });
    const rows = await imagesOf(content.id);
    expect(rows.map((r) => [r.imageType, r.position, r.prompt])).toEqual([
      ['featured', 0, 'A runner cresting a hill'],
      ['desktop', 1, 'Legs mid-stride'],
    ]);
  });

  it('fails the item, naming the expected shape, when the answer has no featured prompt', async () => {
    const { content } = await createArticle(account, 'Night Running');
    // The same to the re-ask.
    stack.provider.enqueue({ content: '{"in_article_prompts": ["a headlamp"]}', times: 2 });
    const { final } = await extractPrompts(account, [content.id]);
    expect(final.state).toBe('FAILURE');
    expect(final.error).toContain(`expected ${IMAGE_PROMPTS_EXPECTED}`);
    expect(IMAGE_PROMPTS_EXPECTED).toBe('{"featured_prompt", "in_article_prompts": [...]}');
    expect(await stack.prisma.image.count({ where: { contentId: content.id } })).toBe(0);
  });
});

describe('generate_images with OpenAI', () => {
  let contentId: number;
  let rows: Awaited<ReturnType<typeof imagesOf>>;
  let result: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    const { content } = await createArticle(account, 'Ultra Training');
    contentId = content.id;
    await extractPrompts(account, [contentId]);
    rows = await imagesOf(contentId);
    stack.provider.reset();
    result = await generateImages(account, rows.map((r) => r.id));
  });

  it('ends in SUCCESS with images_generated and every item reported', () => {
    expect(result.final.state).toBe('SUCCESS');
    expect(result.final.meta.message).toBe('Image generation complete');
    expect(result.final.result).toEqual({
      count: 5,
      images_generated: 5,
      items: rows.map((r) => ({ id: r.id, status: 'success' })),
    });
    expect(stepMessages(result.final)).toEqual([
      'Validating image prompts',
      'Preparing image generation',
      'Creating image(s) with AI',
      'Processing image response',
      'Saving generated image(s)',
    ]);
  });

  it('asks dall-e-3 once per image with the template-formatted prompt, size and n=1', () => {
    const calls = stack.provider.requests({ path: '/v1/images/generations' });
    expect(calls).toHaveLength(5);
    const prompts = calls.map((c) => (c.body as { prompt: string }).prompt).sort();
    const expected = rows.map((r) => `realistic image for an article titled "Ultra Training": ${r.prompt}`).sort();
    expect(prompts).toEqual(expected);
    for (const call of calls) {
      expect(call.body).toMatchObject({ model: 'dall-e-3', size: '1024x1024', n: 1 });
      expect(call.apiKey.present).toBe(true);
    }
  });

  it('saves URL, provider, model and the table price on every row', async () => {
    const saved = await imagesOf(contentId);
    for (const row of saved) {
      expect(row).toMatchObject({ status: 'generated', provider: 'openai', model: 'dall-e-3', cost: 0.04 });
      expect(row.imageUrl).toMatch(new RegExp(`^${stack.provider.url}/images/[0-9a-f]+\\.png$`));
    }
    const image = await fetch(saved[0].imageUrl!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('adds the images’ cost to the run, without tokens, and logs it as credit usage', async () => {
    expect(result.final.meta.cost).toBeCloseTo(0.2, 10);
    expect(result.final.meta.tokens).toBe(0);
    // Each image reserved its price, was charged it and released the reservation.
    const charges = await stack.prisma.creditUsageLog.findMany({ where: { taskId: result.taskId, kind: 'charge' } });
    expect(charges).toHaveLength(5);
    expect(charges.reduce((sum, m) => sum + m.costUsd, 0)).toBeCloseTo(0.2, 10);
    expect(charges.every((m) => m.credits === 4)).toBe(true);
  });

  it('keeps the negative prompt beside the positive one in the stored request', async () => {
    const request = await stack.prisma.aIRequest.findUniqueOrThrow({ where: { taskId_itemKey: { taskId: result.taskId, itemKey: String(rows[0].id) } } });
    expect(request.prompt).toBe(`realistic image for an article titled "Ultra Training": ${rows[0].prompt}`);
    expect(request.parsed).toMatchObject({ negative_prompt: expect.stringContaining('watermark'), image: { provider: 'openai', model: 'dall-e-3', cost: 0.04 } });
    expect(request).toMatchObject({ model: 'dall-e-3', cost: 0.04, inputTokens: 0, outputTokens: 0 });
  });
});

describe('generate_images with Runware', () => {
  let owner: TestAccount;
  let images: Awaited<ReturnType<typeof createImages>>;
  let result: Awaited<ReturnType<typeof run>>;
  let output = '';

  beforeAll(async () => {
    owner = await stack.createAccount('Runware only');
    // No openai integration at all: a Runware account needs only its own key.
    await putIntegration(owner, 'runware', { apiKey: RUNWARE_KEY, baseUrl: `${stack.provider.url}/v1` });
    await putIntegration(owner, 'image_generation', { ...IMAGE_SETTINGS, provider: 'runware', model: 'runware:97@1', size: '1280x768', image_type: 'artistic' });
    await stack.prisma.aIPrompt.create({ data: { accountId: owner.accountId, promptType: 'negative_prompt', promptValue: 'blurry, watermark, text' } });
    images = await createImages(owner, 'Desert Marathons', ['Dunes at sunrise', 'A runner with a camel pack']);
    stack.provider.reset();
    const writes = [process.stdout, process.stderr].map((stream) => {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output += String(chunk);
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => (stream.write = original as typeof stream.write);
    });
    try {
      result = await generateImages(owner, images.ids);
    } finally {
      writes.forEach((restore) => restore());
    }
  });

  it('sends ONE POST per image: the authentication task, then the inference task', () => {
    expect(result.final.state).toBe('SUCCESS');
    const calls = stack.provider.requests();
    expect(calls.map((c) => c.path)).toEqual(['/v1', '/v1']);
    const fingerprint = createHash('sha256').update(RUNWARE_KEY).digest('hex').slice(0, 12);
    const prompts = ['Dunes at sunrise', 'A runner with a camel pack'];
    // The images are drawn side by side: their calls arrive in any order, one per prompt.
    const promptOf = (call: (typeof calls)[number]) => ((call.body as Array<{ positivePrompt?: string }>)[1]?.positivePrompt ?? '').replace(/^.*: /, '');
    expect(calls.map(promptOf).sort()).toEqual([...prompts].sort());
    for (const call of calls) {
      const index = prompts.indexOf(promptOf(call));
      expect(call.method).toBe('POST');
      expect(call.apiKey).toEqual({ present: true, fingerprint });
      expect(call.body).toEqual([
        { taskType: 'authentication', apiKey: '***' },
        {
          taskType: 'imageInference',
          taskUUID: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
          positivePrompt: `artistic image for an article titled "Desert Marathons": ${prompts[index]}`,
          negativePrompt: 'blurry, watermark, text',
          model: 'runware:97@1',
          width: 1280,
          height: 768,
          outputFormat: 'WEBP',
          includeCost: true,
          numberResults: 1,
        },
      ]);
    }
  });

  it("saves Runware's URL and its reported cost, not the table price", async () => {
    // The demo provider prices by pixels: 1280 × 768 × 3.6e-9 USD.
    const reported = Math.round(1280 * 768 * 3.6e-9 * 1e6) / 1e6;
    const rows = await stack.prisma.image.findMany({ where: { id: { in: images.ids } }, orderBy: { id: 'asc' } });
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'generated', provider: 'runware', model: 'runware:97@1', cost: reported });
      expect(row.imageUrl).toMatch(/\/images\/[0-9a-f-]+\.webp$/);
    }
    expect(result.final.meta.cost).toBeCloseTo(2 * reported, 10);
    expect(result.final.result).toMatchObject({ count: 2, images_generated: 2 });
  });

  it('keeps the Runware key out of ai_requests, the run record, progress, history and logs', async () => {
    const requests = await stack.prisma.aIRequest.findMany({ where: { taskId: result.taskId } });
    expect(requests).toHaveLength(2);
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: result.taskId } });
    const progress = await stack.api('GET', `/api/v1/system/settings/task_progress/${result.taskId}/`, { key: owner.apiKey });
    const history = await stack.temporal.workflow.getHandle(result.taskId).fetchHistory();
    // Payload data is base64: decode it so the search sees what activities passed and returned.
    const historyText = JSON.stringify(history, (key, value) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
    expect(historyText).toContain('featured image of “Desert Marathons”');
    const integration = await stack.api('GET', '/api/v1/system/settings/integrations/runware/', { key: owner.apiKey });
    for (const text of [JSON.stringify(requests), JSON.stringify(record), JSON.stringify(progress.body), historyText, output, JSON.stringify(integration.body)]) {
      expect(text).not.toContain(RUNWARE_KEY);
    }
  });

  it('retries a 429 no sooner than its Retry-After, and an answer that is not JSON', async () => {
    stack.provider.reset();
    stack.provider.enqueue([{ path: '/v1', status: 429, retryAfter: 1 }, { path: '/v1', malformed: true }]);
    const { final } = await generateImages(owner, [images.ids[0]]);
    expect(final.state).toBe('SUCCESS');
    const calls = stack.provider.requests({ path: '/v1' });
    expect(calls.map((c) => [c.status, c.outcome])).toEqual([
      [429, 'error'],
      [200, 'malformed'],
      [200, 'answer'],
    ]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1000);
  });

  it("refuses a Runware 400 for good, naming its status and error code", async () => {
    stack.provider.reset();
    stack.provider.enqueue({ path: '/v1', status: 400, code: 'invalidModel', message: "Invalid value for 'model' parameter." });
    const { final } = await generateImages(owner, [images.ids[1]]);
    expect(final.state).toBe('FAILURE');
    // The status and Runware's error code, never its text (which may echo what was sent).
    expect(final.error).toContain("The AI provider rejected the request (400) with error code 'invalidModel'.");
    expect(final.error).not.toContain('Invalid value');
    expect(stack.provider.requests({ path: '/v1' })).toHaveLength(1);
  });
});

describe('image settings are checked at INIT', () => {
  let owner: TestAccount;
  let ids: number[];

  beforeAll(async () => {
    owner = await stack.createAccount('Misconfigured');
    await stack.configureOpenAI(owner);
    ({ ids } = await createImages(owner, 'Trail Etiquette', ['Two runners passing on a narrow trail']));
  });

  async function expectInitFailure(message: string | RegExp) {
    const before = stack.provider.requests({ path: '/v1/images/generations' }).length + stack.provider.requests({ path: '/v1' }).length;
    const { taskId, final } = await generateImages(owner, ids);
    expect(final.state).toBe('FAILURE');
    expect(final.meta.phase).toBe('INIT');
    if (typeof message === 'string') expect(final.error).toBe(message);
    else expect(final.error).toMatch(message);
    const after = stack.provider.requests({ path: '/v1/images/generations' }).length + stack.provider.requests({ path: '/v1' }).length;
    expect(after).toBe(before);
    const record = await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } });
    expect(record).toMatchObject({ status: 'error', phase: 'INIT', error: final.error });
  }

  it('fails when there are no image_generation settings', async () => {
    await expectInitFailure(
      `Image generation settings not configured for account ${owner.accountId}. Please configure image_generation settings (provider, model, size) in the integration page.`,
    );
  });

  it('fails when the model is not set: no default model', async () => {
    await putIntegration(owner, 'image_generation', { ...IMAGE_SETTINGS, model: null });
    await expectInitFailure(
      `Image model not configured in IntegrationSettings for account ${owner.accountId}. Please set 'model' in image_generation integration settings.`,
    );
  });

  it('fails naming a size the model cannot draw and the allowed sizes', async () => {
    await putIntegration(owner, 'image_generation', { ...IMAGE_SETTINGS, size: '512x512' });
    await expectInitFailure("Image size '512x512' is not valid for model 'dall-e-3'. Allowed sizes: 1024x1024, 1024x1792, 1792x1024.");
  });

  it('fails naming an unknown image model', async () => {
    await putIntegration(owner, 'image_generation', { ...IMAGE_SETTINGS, model: 'dall-e-9' });
    await expectInitFailure(/^Image model 'dall-e-9' is not in the pricing table\. Allowed openai image models: dall-e-3, dall-e-2, gpt-image-1;/);
  });

  it('fails when the provider is Runware and no Runware key is set', async () => {
    await putIntegration(owner, 'image_generation', { ...IMAGE_SETTINGS, provider: 'runware', model: 'runware:97@1' });
    await expectInitFailure(/^Runware IntegrationSettings not configured for account \d+\. Please configure Runware settings \(apiKey\)/);
  });

  it('generate_image_prompts also fails at INIT without image settings', async () => {
    const bare = await stack.createAccount('No image settings');
    await stack.configureOpenAI(bare);
    const { content } = await createArticle(bare, 'Recovery Days');
    const { final } = await extractPrompts(bare, [content.id]);
    expect(final).toMatchObject({ state: 'FAILURE', meta: { phase: 'INIT' } });
    expect(final.error).toMatch(/^Image generation settings not configured for account/);
  });
});

describe('one image the provider refuses', () => {
  it('fails that item only: the run succeeds and the other images are generated', async () => {
    const { content } = await createArticle(account, 'Mountain Races');
    await extractPrompts(account, [content.id]);
    const rows = await imagesOf(content.id);
    const refused = rows[0];
    stack.provider.reset();
    stack.provider.enqueue({ path: '/v1/images/generations', status: 400, match: refused.prompt, message: 'Your request was rejected by the safety system.' });
    const { final } = await generateImages(account, rows.map((r) => r.id));

    expect(final.state).toBe('SUCCESS');
    expect(final.result).toMatchObject({ count: 4, images_generated: 4 });
    expect(final.result!.items).toEqual(
      rows.map((r) =>
        r.id === refused.id
          ? { id: r.id, status: 'failed', error: expect.stringContaining('rejected the request (400)') }
          : { id: r.id, status: 'success' },
      ),
    );
    expect(final.result!.items[0].error).toContain('The AI provider rejected the request (400).');
    expect(final.result!.items[0].error).not.toContain('safety system');
    const after = await imagesOf(content.id);
    expect(after.find((r) => r.id === refused.id)).toMatchObject({ status: 'failed', imageUrl: null });
    expect(after.filter((r) => r.id !== refused.id).every((r) => r.status === 'generated' && r.imageUrl)).toBe(true);
    // A 400 is final: asked once, not retried.
    const asked = stack.provider.requests({ path: '/v1/images/generations' }).filter((c) => (c.body as { prompt: string }).prompt.includes(refused.prompt));
    expect(asked.map((c) => c.status)).toEqual([400]);
  });
});

describe('the provider call heartbeats and honours cancellation', () => {
  it('reports heartbeats while the provider draws, and drops the request when the activity is cancelled', async () => {
    const { ids } = await createImages(account, 'Slow Images', ['A very slow sunrise over the ridge']);
    stack.provider.reset();
    stack.provider.enqueue({ path: '/v1/images/generations', hang: true });
    const started = await stack.api('POST', '/api/v1/writer/images/generate_images/', { key: account.apiKey, body: { ids } });
    const handle = stack.temporal.workflow.getHandle(started.body.task_id);

    await until(async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      return pending.some((a) => a.activityType?.name === 'requestImage' && a.lastHeartbeatTime);
    }, 15_000);
    await handle.cancel();

    // The cancellation reaches the activity with its next heartbeat; it aborts the HTTP request.
    await until(async () => stack.provider.requests({ path: '/v1/images/generations' })[0]?.durationMs != null, 40_000);
    const [call] = stack.provider.requests({ path: '/v1/images/generations' });
    expect(call.outcome).toBe('hang');
    expect(call.status).toBeNull();
    expect(await stack.prisma.image.findUniqueOrThrow({ where: { id: ids[0] } })).toMatchObject({ status: 'pending', imageUrl: null });
  }, 90_000);
});

describe('the API', () => {
  it('answers 400 naming an image without a prompt, and starts nothing', async () => {
    const { content, task } = await createArticle(account, 'Empty Prompts');
    const empty = await stack.prisma.image.create({
      data: { accountId: account.accountId, contentId: content.id, taskId: task.id, imageType: 'featured', position: 0, prompt: '' },
    });
    const runs = await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } });
    const answer = await stack.api('POST', '/api/v1/writer/images/generate_images/', { key: account.apiKey, body: { ids: [empty.id] } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ success: false, error: expect.stringContaining(`Images without a prompt: ${empty.id}.`), request_id: expect.any(String) });
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } })).toBe(runs);
  });

  it("lists images filtered by content, task and status, in the documented fields, and never another account's", async () => {
    const { content, task } = await createArticle(account, 'Listing');
    await extractPrompts(account, [content.id]);
    const rows = await imagesOf(content.id);

    const listed = await stack.api('GET', `/api/v1/writer/images/?content_id=${content.id}`, { key: account.apiKey });
    expect(listed.status).toBe(200);
    expect(listed.body.count).toBe(5);
    expect(listed.body.results.map((r: { id: number }) => r.id)).toEqual(rows.map((r) => r.id));
    expect(listed.body.results[0]).toEqual({
      id: rows[0].id,
      content_id: content.id,
      task_id: task.id,
      image_type: 'featured',
      position: 0,
      prompt: rows[0].prompt,
      image_url: null,
      provider: null,
      model: null,
      cost: 0,
      status: 'pending',
      created_at: rows[0].createdAt.toISOString(),
    });

    const byTask = await stack.api('GET', `/api/v1/writer/images/?task_id=${task.id}&limit=2&offset=1`, { key: account.apiKey });
    expect(byTask.body.count).toBe(5);
    expect(byTask.body.results.map((r: { id: number }) => r.id)).toEqual(rows.slice(1, 3).map((r) => r.id));
    const generated = await stack.api('GET', `/api/v1/writer/images/?content_id=${content.id}&status=generated`, { key: account.apiKey });
    expect(generated.body.count).toBe(0);
    const badStatus = await stack.api('GET', '/api/v1/writer/images/?status=drawn', { key: account.apiKey });
    expect(badStatus.status).toBe(400);

    const other = await stack.createAccount('Someone else');
    const theirs = await stack.api('GET', `/api/v1/writer/images/?content_id=${content.id}`, { key: other.apiKey });
    expect(theirs.body).toEqual({ success: true, count: 0, next: null, previous: null, results: [] });
    const byIds = await stack.api('GET', `/api/v1/writer/images/?ids=${rows.map((r) => r.id).join(',')}`, { key: other.apiKey });
    expect(byIds.body.count).toBe(0);
    const all = await stack.api('GET', '/api/v1/writer/images/?limit=500', { key: account.apiKey });
    const ownContents = new Set((await stack.prisma.content.findMany({ where: { accountId: account.accountId } })).map((c) => c.id));
    expect(all.body.results.every((r: { content_id: number }) => ownContents.has(r.content_id))).toBe(true);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
