import { startTestStack, type ApiAnswer, type TestAccount, type TestStack } from './support/stack';

const IMAGE_SETTINGS = { provider: 'openai', model: 'dall-e-3', size: '1024x1024', image_type: 'realistic', image_format: 'webp', max_in_article_images: 1, desktop_enabled: true, mobile_enabled: false };

let stack: TestStack;
let account: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Row editor');
  other = await stack.createAccount('Row snooper');
  await stack.configureOpenAI(account);
  const images = await stack.api('PUT', '/api/v1/system/settings/integrations/image_generation/', { key: account.apiKey, body: { config: IMAGE_SETTINGS, is_active: true } });
  expect(images.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

const call = (method: string, path: string, body?: unknown, owner = account) => stack.api(method, path, { key: owner.apiKey, body });

async function place(owner: TestAccount) {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } });
  return { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id };
}

async function keyword(owner: TestAccount, text: string, extra: Record<string, unknown> = {}): Promise<number> {
  const answer = await call('POST', '/api/v1/planner/keywords/', { keywords: [{ keyword: text, volume: 100, difficulty: 20, ...extra }] }, owner);
  expect(answer.status).toBe(200);
  return answer.body.ids[0];
}

async function cluster(owner: TestAccount, name: string) {
  return stack.prisma.cluster.create({ data: { ...(await place(owner)), name } });
}

async function article(owner: TestAccount, title: string) {
  const task = await stack.prisma.writerTask.create({ data: { ...(await place(owner)), title, status: 'completed' } });
  const content = await stack.prisma.content.create({
    data: { ...(await place(owner)), taskId: task.id, title, htmlContent: `<h2>${title}</h2><p>About ${title}.</p>` },
  });
  const image = await stack.prisma.image.create({
    data: { accountId: owner.accountId, contentId: content.id, taskId: task.id, imageType: 'featured', position: 0, prompt: `A picture of ${title}` },
  });
  return { task, content, image };
}

/** A task accepted and held in its AI call by the provider until `finish()`. */
async function heldRun(path: string, ids: number[]) {
  stack.provider.hold();
  const started = await call('POST', path, { ids });
  expect(started.status).toBe(200);
  const taskId: string = started.body.task_id;
  return {
    taskId,
    async finish() {
      stack.provider.release();
      const seen = await stack.waitForTask(account, taskId);
      return seen[seen.length - 1];
    },
  };
}

function expectError(answer: ApiAnswer, status: number, error: string | RegExp) {
  expect({ status: answer.status, success: answer.body.success, request_id: typeof answer.body.request_id }).toEqual({ status, success: false, request_id: 'string' });
  if (typeof error === 'string') expect(answer.body.error).toBe(error);
  else expect(answer.body.error).toMatch(error);
}

describe('keywords: GET, PATCH and DELETE /api/v1/planner/keywords/{id}/', () => {
  it('reads one keyword with the seed fields, and 404s another account’s, an unknown and a bad id', async () => {
    const id = await keyword(account, 'trail shoes', { seed_keyword: 'trail running shoes', volume_override: 900 });
    const one = await call('GET', `/api/v1/planner/keywords/${id}/`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      success: true,
      data: expect.objectContaining({ id, keyword: 'trail shoes', volume: 100, difficulty: 20, seed_keyword: 'trail running shoes', volume_override: 900, difficulty_override: null, status: 'pending', cluster_id: null }),
    });
    expectError(await call('GET', `/api/v1/planner/keywords/${id}/`, undefined, other), 404, `Keyword ${id} not found.`);
    expectError(await call('GET', '/api/v1/planner/keywords/99999999/'), 404, 'Keyword 99999999 not found.');
    expectError(await call('GET', '/api/v1/planner/keywords/abc/'), 400, /params\.id/);
  });

  it('edits overrides and moves a keyword into and out of a cluster, recounting both clusters', async () => {
    const id = await keyword(account, 'hiking boots');
    const [boots, shoes] = [await cluster(account, 'Boots'), await cluster(account, 'Shoes')];
    const mapped = await call('PATCH', `/api/v1/planner/keywords/${id}/`, { cluster_id: boots.id, volume_override: 750, difficulty_override: 55, intent: 'commercial' });
    expect(mapped.status).toBe(200);
    expect(mapped.body.data).toMatchObject({ cluster_id: boots.id, status: 'mapped', volume_override: 750, difficulty_override: 55, intent: 'commercial' });
    expect(await stack.prisma.cluster.findUniqueOrThrow({ where: { id: boots.id } })).toMatchObject({ keywordsCount: 1, volume: BigInt(750) });

    await call('PATCH', `/api/v1/planner/keywords/${id}/`, { cluster_id: shoes.id, volume_override: null });
    expect(await stack.prisma.cluster.findUniqueOrThrow({ where: { id: boots.id } })).toMatchObject({ keywordsCount: 0, volume: BigInt(0) });
    expect(await stack.prisma.cluster.findUniqueOrThrow({ where: { id: shoes.id } })).toMatchObject({ keywordsCount: 1, volume: BigInt(100) });

    const out = await call('PATCH', `/api/v1/planner/keywords/${id}/`, { cluster_id: null });
    expect(out.body.data).toMatchObject({ cluster_id: null, status: 'pending' });
    expect(await stack.prisma.cluster.findUniqueOrThrow({ where: { id: shoes.id } })).toMatchObject({ keywordsCount: 0 });
  });

  it('follows the status allow-list: 409 for a change it does not hold, 400 for mapped without a cluster', async () => {
    const id = await keyword(account, 'rain jacket');
    expect((await call('PATCH', `/api/v1/planner/keywords/${id}/`, { status: 'archived' })).body.data.status).toBe('archived');
    expect((await call('PATCH', `/api/v1/planner/keywords/${id}/`, { status: 'active' })).body.data.status).toBe('active');
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, { status: 'mapped' }), 400, `Keyword ${id} becomes mapped by joining a cluster: send its cluster_id.`);
    const jackets = await cluster(account, 'Jackets');
    await call('PATCH', `/api/v1/planner/keywords/${id}/`, { cluster_id: jackets.id });
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, { status: 'active' }), 409, `Keyword ${id} is mapped; it can change to archived, not active.`);
    const archived = await call('PATCH', `/api/v1/planner/keywords/${id}/`, { status: 'archived' });
    expect(archived.body.data).toMatchObject({ status: 'archived', cluster_id: null });
  });

  it('refuses a bad body naming the field, and another account’s keyword or cluster with 404', async () => {
    const id = await keyword(account, 'gaiters');
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, { difficulty_override: 101 }), 400, /body\.difficulty_override/);
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, { keyword: 'renamed' }), 400, 'Invalid request body: Unrecognized key: "keyword"');
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, { status: 'lost' }), 400, /body\.status/);
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, {}), 400, /^Send at least one field to change: intent, /);
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, { intent: 'x' }, other), 404, `Keyword ${id} not found.`);
    const theirs = await cluster(other, 'Theirs');
    expectError(await call('PATCH', `/api/v1/planner/keywords/${id}/`, { cluster_id: theirs.id }), 404, `Cluster ${theirs.id} not found.`);
    expect((await stack.prisma.keyword.findUniqueOrThrow({ where: { id } })).clusterId).toBeNull();
  });

  it('deletes a keyword and recounts its cluster; 409 naming the running task that uses it; 404 for another account', async () => {
    const [a, b] = [await keyword(account, 'trail socks'), await keyword(account, 'wool socks')];
    const socks = await cluster(account, 'Socks');
    await call('PATCH', `/api/v1/planner/keywords/${a}/`, { cluster_id: socks.id });
    await call('PATCH', `/api/v1/planner/keywords/${b}/`, { cluster_id: socks.id });
    expectError(await call('DELETE', `/api/v1/planner/keywords/${a}/`, undefined, other), 404, `Keyword ${a} not found.`);

    const run = await heldRun('/api/v1/planner/keywords/auto_cluster/', [a]);
    expectError(
      await call('DELETE', `/api/v1/planner/keywords/${a}/`),
      409,
      `Keyword ${a} is used by the running task ${run.taskId}; cancel the task or wait for it to end before deleting.`,
    );
    expect((await run.finish()).state).toBe('SUCCESS');

    expect(await call('DELETE', `/api/v1/planner/keywords/${b}/`)).toEqual({ status: 200, body: { success: true, id: b } });
    expectError(await call('GET', `/api/v1/planner/keywords/${b}/`), 404, `Keyword ${b} not found.`);
    const recounted = await stack.prisma.cluster.findUniqueOrThrow({ where: { id: socks.id } });
    expect(recounted.keywordsCount).toBe(await stack.prisma.keyword.count({ where: { clusterId: socks.id } }));
  });
});

describe('clusters: GET, PATCH and DELETE /api/v1/planner/clusters/{id}/', () => {
  it('reads, renames and archives a cluster; a name in use is 409, a disallowed status 400, another account 404', async () => {
    const [fleece, taken] = [await cluster(account, 'Fleece'), await cluster(account, 'Taken')];
    expect((await call('GET', `/api/v1/planner/clusters/${fleece.id}/`)).body.data).toMatchObject({ id: fleece.id, name: 'Fleece', status: 'active' });
    const edited = await call('PATCH', `/api/v1/planner/clusters/${fleece.id}/`, { name: 'Fleece layers', description: 'Warm layers', status: 'archived' });
    expect(edited.body.data).toMatchObject({ name: 'Fleece layers', description: 'Warm layers', status: 'archived' });
    expectError(await call('PATCH', `/api/v1/planner/clusters/${fleece.id}/`, { name: 'Taken' }), 409, `A cluster named "Taken" already exists in sector ${taken.sectorId}.`);
    expectError(await call('PATCH', `/api/v1/planner/clusters/${fleece.id}/`, { status: 'mapped' }), 400, /body\.status/);
    expectError(await call('GET', `/api/v1/planner/clusters/${fleece.id}/`, undefined, other), 404, `Cluster ${fleece.id} not found.`);
    expectError(await call('DELETE', `/api/v1/planner/clusters/${fleece.id}/`, undefined, other), 404, `Cluster ${fleece.id} not found.`);
  });

  it('deletes a cluster: its keywords become unmapped, its ideas and writer tasks stay without it; 409 while generate_ideas runs on it', async () => {
    const tents = await cluster(account, 'Tents');
    const kw = await keyword(account, 'two person tent');
    await call('PATCH', `/api/v1/planner/keywords/${kw}/`, { cluster_id: tents.id });
    const idea = await stack.prisma.contentIdea.create({ data: { ...(await place(account)), clusterId: tents.id, ideaTitle: 'Choosing a tent' } });
    const task = await stack.prisma.writerTask.create({ data: { ...(await place(account)), clusterId: tents.id, title: 'Tent guide' } });

    const run = await heldRun('/api/v1/planner/clusters/auto_generate_ideas/', [tents.id]);
    expectError(await call('DELETE', `/api/v1/planner/clusters/${tents.id}/`), 409, new RegExp(`^Cluster ${tents.id} is used by the running task ${run.taskId};`));
    await run.finish();

    expect(await call('DELETE', `/api/v1/planner/clusters/${tents.id}/`)).toEqual({ status: 200, body: { success: true, id: tents.id } });
    expect(await stack.prisma.keyword.findUniqueOrThrow({ where: { id: kw } })).toMatchObject({ clusterId: null, status: 'pending' });
    expect(await stack.prisma.contentIdea.findUniqueOrThrow({ where: { id: idea.id } })).toMatchObject({ clusterId: null });
    expect(await stack.prisma.writerTask.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ clusterId: null });
  });
});

describe('ideas: GET, PATCH and DELETE /api/v1/planner/ideas/{id}/', () => {
  it('reads and edits an idea within the allow-list; refuses bad input and other accounts', async () => {
    const idea = await stack.prisma.contentIdea.create({ data: { ...(await place(account)), ideaTitle: 'Layering 101' } });
    expect((await call('GET', `/api/v1/planner/ideas/${idea.id}/`)).body.data).toMatchObject({ id: idea.id, idea_title: 'Layering 101', status: 'new' });
    const edited = await call('PATCH', `/api/v1/planner/ideas/${idea.id}/`, { idea_title: 'Layering for winter', estimated_word_count: 1800, status: 'scheduled' });
    expect(edited.body.data).toMatchObject({ idea_title: 'Layering for winter', estimated_word_count: 1800, status: 'scheduled' });
    await call('PATCH', `/api/v1/planner/ideas/${idea.id}/`, { status: 'published' });
    expectError(await call('PATCH', `/api/v1/planner/ideas/${idea.id}/`, { status: 'new' }), 409, `Idea ${idea.id} is published; it can change to scheduled, not new.`);
    expectError(await call('PATCH', `/api/v1/planner/ideas/${idea.id}/`, { estimated_word_count: -1 }), 400, /body\.estimated_word_count/);
    const theirs = await cluster(other, 'Their ideas');
    expectError(await call('PATCH', `/api/v1/planner/ideas/${idea.id}/`, { cluster_id: theirs.id }), 404, `Cluster ${theirs.id} not found.`);
    expectError(await call('PATCH', `/api/v1/planner/ideas/${idea.id}/`, { idea_title: 'Mine' }, other), 404, `Idea ${idea.id} not found.`);
  });

  it('deletes an idea while a writer task made from it is being written: the task keeps running, without the idea', async () => {
    const idea = await stack.prisma.contentIdea.create({ data: { ...(await place(account)), ideaTitle: 'Packing light' } });
    const task = await stack.prisma.writerTask.create({ data: { ...(await place(account)), ideaId: idea.id, title: 'Packing light' } });
    const run = await heldRun('/api/v1/writer/tasks/auto_generate_content/', [task.id]);
    expectError(await call('DELETE', `/api/v1/planner/ideas/${idea.id}/`, undefined, other), 404, `Idea ${idea.id} not found.`);
    expect(await call('DELETE', `/api/v1/planner/ideas/${idea.id}/`)).toEqual({ status: 200, body: { success: true, id: idea.id } });
    expect(await stack.prisma.writerTask.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ ideaId: null });
    expect((await run.finish()).state).toBe('SUCCESS');
    expect(await stack.prisma.content.count({ where: { taskId: task.id } })).toBe(1);
  });
});

describe('writer tasks: GET, PATCH and DELETE /api/v1/writer/tasks/{id}/', () => {
  it('reads and edits the brief; queued ⇄ completed only; 404 for others', async () => {
    const task = await stack.prisma.writerTask.create({ data: { ...(await place(account)), title: 'Stove guide' } });
    expect((await call('GET', `/api/v1/writer/tasks/${task.id}/`)).body.data).toMatchObject({ id: task.id, title: 'Stove guide', status: 'queued' });
    const edited = await call('PATCH', `/api/v1/writer/tasks/${task.id}/`, { title: 'Camp stove guide', keywords: ['camp stove', 'canister stove'], meta_title: 'Stoves' });
    expect(edited.body.data).toMatchObject({ title: 'Camp stove guide', keywords: 'camp stove, canister stove', meta_title: 'Stoves' });
    expectError(await call('PATCH', `/api/v1/writer/tasks/${task.id}/`, { status: 'in_progress' }), 409, `Writer task ${task.id} is queued; it can change to completed, not in_progress.`);
    expectError(await call('PATCH', `/api/v1/writer/tasks/${task.id}/`, { title: '' }), 400, /body\.title/);
    expectError(await call('PATCH', `/api/v1/writer/tasks/${task.id}/`, { idea_id: 99999999 }), 404, 'Idea 99999999 not found.');
    expectError(await call('GET', `/api/v1/writer/tasks/${task.id}/`, undefined, other), 404, `Writer task ${task.id} not found.`);
  });

  it('deletes a task with its content and images; 409 while generate_images runs on one of its images', async () => {
    const { task, content, image } = await article(account, 'Water filters');
    const run = await heldRun('/api/v1/writer/images/generate_images/', [image.id]);
    expectError(await call('DELETE', `/api/v1/writer/tasks/${task.id}/`), 409, new RegExp(`^Writer task ${task.id} is used by the running task ${run.taskId};`));
    await run.finish();
    expectError(await call('DELETE', `/api/v1/writer/tasks/${task.id}/`, undefined, other), 404, `Writer task ${task.id} not found.`);
    expect(await call('DELETE', `/api/v1/writer/tasks/${task.id}/`)).toEqual({ status: 200, body: { success: true, id: task.id } });
    expect(await stack.prisma.content.count({ where: { id: content.id } })).toBe(0);
    expect(await stack.prisma.image.count({ where: { id: image.id } })).toBe(0);
  });
});

describe('content: PATCH and DELETE /api/v1/writer/content/{id}/', () => {
  it('edits an article: HTML cleaned as generated articles are, words counted again, status within the allow-list', async () => {
    const { content } = await article(account, 'Headlamps');
    const edited = await call('PATCH', `/api/v1/writer/content/${content.id}/`, {
      html_content: '<h1>Headlamps</h1><script>alert(1)</script><p onclick="x()">Bright enough at night</p>',
      tags: ['gear'],
      status: 'review',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.data.html_content).not.toMatch(/script|onclick|<h1/);
    expect(edited.body.data.html_content).toContain('Bright enough at night');
    expect(edited.body.data).toMatchObject({ word_count: 5, tags: ['gear'], status: 'review' });
    expectError(await call('PATCH', `/api/v1/writer/content/${content.id}/`, { status: 'archived' }), 400, /body\.status/);
    expectError(await call('PATCH', `/api/v1/writer/content/${content.id}/`, { tags: 'gear' }), 400, /body\.tags/);
    expectError(await call('PATCH', `/api/v1/writer/content/${content.id}/`, { title: 'Mine' }, other), 404, `Content ${content.id} not found.`);
  });

  it('deletes an article and its images, keeping its writer task; 409 while generate_image_prompts runs on it', async () => {
    const { task, content, image } = await article(account, 'Trekking poles');
    const run = await heldRun('/api/v1/writer/content/generate_image_prompts/', [content.id]);
    expectError(await call('DELETE', `/api/v1/writer/content/${content.id}/`), 409, new RegExp(`^Content ${content.id} is used by the running task ${run.taskId};`));
    await run.finish();
    expectError(await call('DELETE', `/api/v1/writer/content/${content.id}/`, undefined, other), 404, `Content ${content.id} not found.`);
    expect(await call('DELETE', `/api/v1/writer/content/${content.id}/`)).toEqual({ status: 200, body: { success: true, id: content.id } });
    expect(await stack.prisma.image.count({ where: { contentId: content.id } })).toBe(0);
    expect(await stack.prisma.image.count({ where: { id: image.id } })).toBe(0);
    expect(await stack.prisma.writerTask.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: 'completed' });
  });
});

describe('images: GET, PATCH and DELETE /api/v1/writer/images/{id}/', () => {
  it('reads, rewrites the prompt and sends a failed image back to pending; pending cannot be set to generated by hand', async () => {
    const { image } = await article(account, 'Bivvy bags');
    expect((await call('GET', `/api/v1/writer/images/${image.id}/`)).body.data).toMatchObject({ id: image.id, status: 'pending' });
    expectError(await call('PATCH', `/api/v1/writer/images/${image.id}/`, { status: 'generated' }), 409, `Image ${image.id} is pending; only its AI function changes that status, so it cannot be set to generated.`);
    await stack.prisma.image.update({ where: { id: image.id }, data: { status: 'failed' } });
    const edited = await call('PATCH', `/api/v1/writer/images/${image.id}/`, { prompt: 'A bivvy bag on a ridge at dusk', status: 'pending' });
    expect(edited.body.data).toMatchObject({ prompt: 'A bivvy bag on a ridge at dusk', status: 'pending' });
    expectError(await call('PATCH', `/api/v1/writer/images/${image.id}/`, { prompt: '  ' }), 400, /body\.prompt/);
    expectError(await call('PATCH', `/api/v1/writer/images/${image.id}/`, { prompt: 'x' }, other), 404, `Image ${image.id} not found.`);
  });

  it('deletes an image, keeping its content; 409 while generate_images runs on it', async () => {
    const { content, image } = await article(account, 'Sleeping pads');
    const run = await heldRun('/api/v1/writer/images/generate_images/', [image.id]);
    expectError(await call('DELETE', `/api/v1/writer/images/${image.id}/`), 409, new RegExp(`^Image ${image.id} is used by the running task ${run.taskId};`));
    await run.finish();
    expectError(await call('DELETE', `/api/v1/writer/images/${image.id}/`, undefined, other), 404, `Image ${image.id} not found.`);
    expect(await call('DELETE', `/api/v1/writer/images/${image.id}/`)).toEqual({ status: 200, body: { success: true, id: image.id } });
    expect(await stack.prisma.content.count({ where: { id: content.id } })).toBe(1);
  });
});

describe('the OpenAPI document', () => {
  it('lists GET, PATCH and DELETE of every resource with their schemas', async () => {
    const doc = await stack.api('GET', '/docs/json');
    for (const resource of ['planner/keywords', 'planner/clusters', 'planner/ideas', 'writer/tasks', 'writer/content', 'writer/images']) {
      const path = doc.body.paths[`/api/v1/${resource}/{id}/`];
      expect({ resource, methods: Object.keys(path).sort() }).toEqual({ resource, methods: ['delete', 'get', 'patch'] });
      expect(path.patch.requestBody.content['application/json'].schema.properties).toHaveProperty('status');
      expect(Object.keys(path.delete.responses).sort()).toEqual(['200', '400', '401', '404', '409', '503']);
      expect(path.get.responses['404'].content['application/json'].schema.properties).toHaveProperty('request_id');
    }
  });
});
