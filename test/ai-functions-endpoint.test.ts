import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount();
});

afterAll(async () => {
  await stack?.stop();
});

const PATH = '/api/v1/system/ai-functions/';

describe('GET /api/v1/system/ai-functions/', () => {
  it('lists every AI function with the display names a person sees on its button', async () => {
    const answer = await stack.api('GET', PATH, { key: account.apiKey });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(true);
    expect(answer.body.count).toBe(6);
    const names = Object.fromEntries(answer.body.results.map((f: { name: string; display_name: string }) => [f.name, f.display_name]));
    expect(names).toEqual({
      auto_cluster: 'Auto Cluster Keywords',
      generate_ideas: 'Generate Ideas',
      generate_content: 'Generate Content',
      generate_image_prompts: 'Generate Image Prompts',
      generate_images: 'Generate Images',
      auto_generate_images: 'Generate Images for Tasks',
    });
  });

  it('gives each function its limits, start endpoint, input rows, start requirement and phases', async () => {
    const { body } = await stack.api('GET', PATH, { key: account.apiKey });
    const byName = (name: string) => body.results.find((f: { name: string }) => f.name === name);
    expect(byName('generate_ideas')).toMatchObject({
      aliases: ['auto_generate_ideas'],
      kind: 'pipeline',
      max_items: 10,
      start: { method: 'POST', path: '/api/v1/planner/clusters/auto_generate_ideas/', takes_sector_id: false },
      started_message: 'Idea generation started',
      input: { resource: 'cluster', noun: 'cluster', list_path: '/api/v1/planner/clusters/' },
      start_requirement: null,
      streams_text: false,
    });
    expect(byName('auto_cluster')).toMatchObject({ start: { takes_sector_id: true }, input: { resource: 'keyword' } });
    expect(byName('generate_content')).toMatchObject({ max_items: 50, streams_text: true, input: { resource: 'writer_task', list_path: '/api/v1/writer/tasks/' } });
    expect(byName('generate_images').start_requirement).toMatchObject({ requires: 'image_prompt' });
    expect(byName('auto_generate_images')).toMatchObject({ kind: 'composite', start_requirement: { requires: 'task_content' } });
    for (const fn of body.results) {
      expect(fn.description.length).toBeGreaterThan(20);
      expect(fn.phases).toEqual([
        { phase: 'INIT', start: 0, end: 10 },
        { phase: 'PREP', start: 10, end: 25 },
        { phase: 'AI_CALL', start: 25, end: 70 },
        { phase: 'PARSE', start: 70, end: 85 },
        { phase: 'SAVE', start: 85, end: 98 },
        { phase: 'DONE', start: 98, end: 100 },
      ]);
    }
  });

  it('names start paths that are the real start endpoints', async () => {
    const { body } = await stack.api('GET', PATH, { key: account.apiKey });
    for (const fn of body.results) {
      // An empty body is refused by the route's own validation (400), not by the router (404).
      const answer = await stack.api('POST', fn.start.path, { key: account.apiKey, body: { ids: [] } });
      expect({ name: fn.name, status: answer.status }).toEqual({ name: fn.name, status: 400 });
    }
  });

  it('is 401 without a valid API key', async () => {
    for (const key of [undefined, 'not-a-key']) {
      const answer = await stack.api('GET', PATH, { key });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ success: false, error: expect.stringContaining('Missing or invalid API key') });
    }
  });

  it('is in the OpenAPI document with its response schema', async () => {
    const doc = await stack.api('GET', '/docs/json');
    const route = doc.body.paths[PATH]?.get;
    expect(route).toBeDefined();
    const item = route.responses['200'].content['application/json'].schema.properties.results.items;
    expect(Object.keys(item.properties)).toEqual(
      expect.arrayContaining(['name', 'aliases', 'display_name', 'description', 'max_items', 'start', 'input', 'phases']),
    );
  });
});
