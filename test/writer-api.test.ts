import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Writer API');
  other = await stack.createAccount('Someone else');
});

afterAll(async () => {
  await stack?.stop();
});

async function siteOf(owner: TestAccount) {
  return (await stack.prisma.sector.findUniqueOrThrow({ where: { id: owner.sectorId } })).siteId;
}

async function createCluster(owner: TestAccount, name: string) {
  return stack.prisma.cluster.create({ data: { accountId: owner.accountId, siteId: await siteOf(owner), sectorId: owner.sectorId, name } });
}

async function createIdea(owner: TestAccount, clusterId: number | null, title: string) {
  return stack.prisma.contentIdea.create({
    data: { accountId: owner.accountId, siteId: await siteOf(owner), sectorId: owner.sectorId, clusterId, ideaTitle: title },
  });
}

function postTasks(owner: TestAccount, body: unknown) {
  return stack.api('POST', '/api/v1/writer/tasks/', { key: owner.apiKey, body });
}

describe('POST and GET /api/v1/writer/tasks/', () => {
  it('creates tasks in order with defaults, and lists them in the documented shape', async () => {
    const cluster = await createCluster(account, 'Nutrition');
    const created = await postTasks(account, {
      tasks: [
        { title: '  Carb Loading Basics ', description: 'Before a race.', keywords: ['carb loading', 'race nutrition'], cluster_id: cluster.id, content_type: 'guide', content_structure: 'pillar_page', prompt_override: 'Custom [IGNY8_IDEA]' },
        { title: 'Protein After Runs' },
      ],
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ success: true, ids: [expect.any(Number), expect.any(Number)] });
    const [first, second] = created.body.ids;
    expect(second).toBeGreaterThan(first);

    const list = await stack.api('GET', `/api/v1/writer/tasks/?ids=${first},${second}`, { key: account.apiKey });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      success: true,
      count: 2,
      next: null,
      previous: null,
      results: [
        {
          id: first,
          title: 'Carb Loading Basics',
          description: 'Before a race.',
          keywords: 'carb loading, race nutrition',
          cluster_id: cluster.id,
          idea_id: null,
          content_type: 'guide',
          content_structure: 'pillar_page',
          status: 'queued',
          prompt_override: 'Custom [IGNY8_IDEA]',
          meta_title: null,
          meta_description: null,
          site_id: await siteOf(account),
          sector_id: account.sectorId,
          created_at: expect.any(String),
        },
        expect.objectContaining({
          id: second,
          title: 'Protein After Runs',
          description: '',
          keywords: '',
          cluster_id: null,
          content_type: 'blog_post',
          content_structure: 'supporting_page',
          prompt_override: null,
        }),
      ],
    });
  });

  it("takes the idea's cluster when a task names only the idea", async () => {
    const cluster = await createCluster(account, 'Hydration');
    const idea = await createIdea(account, cluster.id, 'Electrolytes 101');
    const created = await postTasks(account, { tasks: [{ title: 'Electrolytes 101', idea_id: idea.id }] });
    const task = await stack.prisma.writerTask.findUniqueOrThrow({ where: { id: created.body.ids[0] } });
    expect(task).toMatchObject({ ideaId: idea.id, clusterId: cluster.id });
  });

  it("puts tasks in the sector given, and refuses another account's sector", async () => {
    const sector = await stack.prisma.sector.create({ data: { accountId: account.accountId, siteId: await siteOf(account), name: 'Cycling' } });
    const inSector = await postTasks(account, { tasks: [{ title: 'Bike Fit' }], sector_id: sector.id });
    const list = await stack.api('GET', `/api/v1/writer/tasks/?ids=${inSector.body.ids[0]}`, { key: account.apiKey });
    expect(list.body.results[0].sector_id).toBe(sector.id);
    const foreignSector = await postTasks(account, { tasks: [{ title: 'Nope' }], sector_id: other.sectorId });
    expect(foreignSector.status).toBe(404);
  });

  it("answers 404 listing clusters and ideas that are not the caller's, creating nothing", async () => {
    const theirCluster = await createCluster(other, 'Theirs');
    const theirIdea = await createIdea(other, null, 'Their idea');
    const before = await stack.prisma.writerTask.count({ where: { accountId: account.accountId } });
    const answer = await postTasks(account, {
      tasks: [{ title: 'A', cluster_id: theirCluster.id }, { title: 'B', idea_id: theirIdea.id }, { title: 'C', cluster_id: 99999999 }],
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      success: false,
      error: `Clusters not found: ${theirCluster.id}, 99999999. Ideas not found: ${theirIdea.id}.`,
      request_id: expect.any(String),
    });
    expect(await stack.prisma.writerTask.count({ where: { accountId: account.accountId } })).toBe(before);
  });

  it('answers 400 naming the field for a bad body', async () => {
    const empty = await postTasks(account, { tasks: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toContain('tasks');
    const blank = await postTasks(account, { tasks: [{ title: '   ' }] });
    expect(blank.status).toBe(400);
    expect(blank.body.error).toContain('body.tasks.0.title');
  });

  it('filters by cluster and status, pages with limit and offset, and keeps accounts apart', async () => {
    const cluster = await createCluster(account, 'Filters');
    const ids = (await postTasks(account, { tasks: ['One', 'Two', 'Three'].map((title) => ({ title, cluster_id: cluster.id })) })).body.ids;
    await stack.prisma.writerTask.update({ where: { id: ids[1] }, data: { status: 'completed' } });

    const byCluster = await stack.api('GET', `/api/v1/writer/tasks/?cluster_id=${cluster.id}&limit=2&offset=1`, { key: account.apiKey });
    expect(byCluster.body.count).toBe(3);
    expect(byCluster.body.results.map((t: { id: number }) => t.id)).toEqual(ids.slice(1));
    const completed = await stack.api('GET', `/api/v1/writer/tasks/?cluster_id=${cluster.id}&status=completed`, { key: account.apiKey });
    expect(completed.body.results.map((t: { id: number }) => t.id)).toEqual([ids[1]]);

    const theirs = await stack.api('GET', `/api/v1/writer/tasks/?ids=${ids.join(',')}`, { key: other.apiKey });
    expect(theirs.body).toEqual({ success: true, count: 0, next: null, previous: null, results: [] });
    const tooMany = await stack.api('GET', '/api/v1/writer/tasks/?limit=501', { key: account.apiKey });
    expect(tooMany.status).toBe(400);
  });
});

describe('GET /api/v1/writer/content/', () => {
  let contentIds: number[];
  let taskIds: number[];

  beforeAll(async () => {
    taskIds = (await postTasks(account, { tasks: [{ title: 'Article A' }, { title: 'Article B' }] })).body.ids;
    const site = await siteOf(account);
    contentIds = [];
    for (const [index, taskId] of taskIds.entries()) {
      const row = await stack.prisma.content.create({
        data: {
          accountId: account.accountId,
          siteId: site,
          sectorId: account.sectorId,
          taskId,
          title: `Article ${'AB'[index]}`,
          htmlContent: `<h2>Body ${index}</h2><p>Text.</p>`,
          wordCount: 3,
          metaTitle: 'Meta',
          metaDescription: 'Description',
          primaryKeyword: 'running',
          secondaryKeywords: ['a', 'b'],
          tags: ['t'],
          categories: ['c'],
          status: index === 0 ? 'draft' : 'published',
          metadata: { reading_time: 2 },
        },
      });
      contentIds.push(row.id);
    }
  });

  it('lists content without html_content by default', async () => {
    const list = await stack.api('GET', `/api/v1/writer/content/?ids=${contentIds.join(',')}`, { key: account.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(2);
    expect(list.body.results[0]).toEqual({
      id: contentIds[0],
      task_id: taskIds[0],
      title: 'Article A',
      meta_title: 'Meta',
      meta_description: 'Description',
      word_count: 3,
      primary_keyword: 'running',
      secondary_keywords: ['a', 'b'],
      tags: ['t'],
      categories: ['c'],
      status: 'draft',
      metadata: { reading_time: 2 },
      site_id: await siteOf(account),
      sector_id: account.sectorId,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(list.body.results[1]).not.toHaveProperty('html_content');
  });

  it('includes html_content when include_html=true', async () => {
    const list = await stack.api('GET', `/api/v1/writer/content/?ids=${contentIds.join(',')}&include_html=true`, { key: account.apiKey });
    expect(list.body.results.map((c: { html_content: string }) => c.html_content)).toEqual(['<h2>Body 0</h2><p>Text.</p>', '<h2>Body 1</h2><p>Text.</p>']);
  });

  it('filters by task and status', async () => {
    const byTask = await stack.api('GET', `/api/v1/writer/content/?task_id=${taskIds[1]}`, { key: account.apiKey });
    expect(byTask.body.results.map((c: { id: number }) => c.id)).toEqual([contentIds[1]]);
    const published = await stack.api('GET', `/api/v1/writer/content/?ids=${contentIds.join(',')}&status=published`, { key: account.apiKey });
    expect(published.body.results.map((c: { id: number }) => c.id)).toEqual([contentIds[1]]);
  });

  it('answers one content with its whole html', async () => {
    const one = await stack.api('GET', `/api/v1/writer/content/${contentIds[0]}/`, { key: account.apiKey });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      success: true,
      data: expect.objectContaining({ id: contentIds[0], task_id: taskIds[0], html_content: '<h2>Body 0</h2><p>Text.</p>' }),
    });
  });

  it("answers 404 for unknown content and another account's, and lists nothing of others", async () => {
    const unknown = await stack.api('GET', '/api/v1/writer/content/99999999/', { key: account.apiKey });
    expect(unknown).toEqual({ status: 404, body: { success: false, error: 'Content 99999999 not found.', request_id: expect.any(String) } });
    const foreign = await stack.api('GET', `/api/v1/writer/content/${contentIds[0]}/`, { key: other.apiKey });
    expect(foreign.status).toBe(404);
    const list = await stack.api('GET', '/api/v1/writer/content/', { key: other.apiKey });
    expect(list.body).toEqual({ success: true, count: 0, next: null, previous: null, results: [] });
  });
});
