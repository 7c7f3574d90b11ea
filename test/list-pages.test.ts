import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;
let other: TestAccount;
let keywordIds: number[];

const KEYWORDS = [
  { keyword: 'Trail Shoes', volume: 500 },
  { keyword: 'road shoes', volume: 900 },
  { keyword: 'trail poles', volume: 100 },
  { keyword: 'rain jacket', volume: 700 },
  { keyword: 'SHOES for hiking', volume: 300 },
];

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Lister');
  other = await stack.createAccount('Other lister');
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords: KEYWORDS } });
  keywordIds = created.body.ids;
  await stack.api('POST', '/api/v1/planner/keywords/', { key: other.apiKey, body: { keywords: [{ keyword: 'trail shoes' }] } });
});

afterAll(async () => {
  await stack?.stop();
});

const list = (path: string, owner = account) => stack.api('GET', path, { key: owner.apiKey });

async function place(owner: TestAccount, sectorId = owner.sectorId) {
  const sector = await stack.prisma.sector.findUniqueOrThrow({ where: { id: sectorId } });
  return { accountId: owner.accountId, siteId: sector.siteId, sectorId: sector.id };
}

describe('next and previous', () => {
  it('link the pages either side as absolute paths that keep the query, null at the ends', async () => {
    const first = await list('/api/v1/planner/keywords/?limit=2&ordering=id');
    expect(first.body).toMatchObject({ success: true, count: 5, next: '/api/v1/planner/keywords/?limit=2&ordering=id&offset=2', previous: null });
    expect(first.body.results.map((k: { id: number }) => k.id)).toEqual(keywordIds.slice(0, 2));

    const second = await list(first.body.next);
    expect(second.body).toMatchObject({ next: '/api/v1/planner/keywords/?limit=2&ordering=id&offset=4', previous: '/api/v1/planner/keywords/?limit=2&ordering=id&offset=0' });
    expect(second.body.results.map((k: { id: number }) => k.id)).toEqual(keywordIds.slice(2, 4));

    const last = await list(second.body.next);
    expect(last.body).toMatchObject({ next: null, previous: '/api/v1/planner/keywords/?limit=2&ordering=id&offset=2' });
    expect(last.body.results.map((k: { id: number }) => k.id)).toEqual(keywordIds.slice(4));
  });

  it('keep filters in the links, and a page past the end points back to the last one', async () => {
    const filtered = await list('/api/v1/planner/keywords/?search=shoes&limit=1');
    expect(filtered.body).toMatchObject({ count: 3, next: '/api/v1/planner/keywords/?search=shoes&limit=1&offset=1', previous: null });
    const beyond = await list('/api/v1/planner/keywords/?limit=2&offset=10');
    expect(beyond.body).toMatchObject({ count: 5, results: [], next: null, previous: '/api/v1/planner/keywords/?limit=2&offset=3' });
  });

  it('are in every resource list', async () => {
    for (const resource of ['planner/clusters', 'planner/ideas', 'writer/tasks', 'writer/content', 'writer/images']) {
      const answer = await list(`/api/v1/${resource}/`);
      expect({ resource, status: answer.status, keys: Object.keys(answer.body).sort() }).toEqual({
        resource,
        status: 200,
        keys: ['count', 'next', 'previous', 'results', 'success'],
      });
    }
  });
});

describe('ordering', () => {
  it('orders by an allow-listed field, descending with -, ties broken by id', async () => {
    const byVolume = await list('/api/v1/planner/keywords/?ordering=-volume');
    expect(byVolume.body.results.map((k: { volume: number }) => k.volume)).toEqual([900, 700, 500, 300, 100]);
    const lowest = await list('/api/v1/planner/keywords/?ordering=volume&limit=2');
    expect(lowest.body.results.map((k: { keyword: string }) => k.keyword)).toEqual(['trail poles', 'SHOES for hiking']);
    const newest = await list('/api/v1/planner/keywords/?ordering=-created_at,-id&limit=1');
    expect(newest.body.results[0].id).toBe(keywordIds[4]);
  });

  it('refuses a field outside the allow-list with 400 naming it and the fields there are', async () => {
    const bad = await list('/api/v1/planner/keywords/?ordering=-volume,account_id');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      success: false,
      error: expect.stringContaining('querystring.ordering: unknown field "account_id"; order by one of id, keyword, volume, difficulty, intent, status, created_at'),
      request_id: expect.any(String),
    });
    for (const resource of ['planner/clusters', 'planner/ideas', 'writer/tasks', 'writer/content', 'writer/images']) {
      const answer = await list(`/api/v1/${resource}/?ordering=html_content`);
      expect({ resource, status: answer.status, error: answer.body.error }).toEqual({ resource, status: 400, error: expect.stringContaining('unknown field "html_content"') });
    }
  });
});

describe('filters a screen needs', () => {
  it('search keywords by text in any case, with status and sector, never another account’s', async () => {
    const search = await list('/api/v1/planner/keywords/?search=SHOES&ordering=id');
    expect(search.body.results.map((k: { keyword: string }) => k.keyword)).toEqual(['Trail Shoes', 'road shoes', 'SHOES for hiking']);
    expect((await list('/api/v1/planner/keywords/?search=shoes', other)).body.count).toBe(1);
    expect((await list('/api/v1/planner/keywords/?status=mapped')).body.count).toBe(0);
    expect((await list(`/api/v1/planner/keywords/?sector_id=${account.sectorId}&status=pending`)).body.count).toBe(5);
  });

  it('filter clusters, ideas, writer tasks, content and images by status, cluster, sector and text', async () => {
    const sector = await stack.api('POST', '/api/v1/planner/sectors/', { key: account.apiKey, body: { name: 'Winter' } });
    const winter = sector.body.ids[0];
    const here = await place(account);
    const there = await place(account, winter);
    const [boots, skis] = [
      await stack.prisma.cluster.create({ data: { ...here, name: 'Hiking Boots', volume: 10 } }),
      await stack.prisma.cluster.create({ data: { ...there, name: 'Skis', status: 'archived', volume: 20 } }),
    ];
    await stack.prisma.contentIdea.createMany({
      data: [
        { ...here, clusterId: boots.id, ideaTitle: 'Breaking in boots' },
        { ...there, clusterId: skis.id, ideaTitle: 'Waxing skis', status: 'scheduled' },
      ],
    });
    const [bootTask, skiTask] = [
      await stack.prisma.writerTask.create({ data: { ...here, clusterId: boots.id, title: 'Boot care', status: 'completed' } }),
      await stack.prisma.writerTask.create({ data: { ...there, clusterId: skis.id, title: 'Ski care' } }),
    ];
    const content = await stack.prisma.content.create({ data: { ...here, taskId: bootTask.id, title: 'Boot Care Guide', status: 'review' } });
    await stack.prisma.image.createMany({
      data: [
        { accountId: account.accountId, contentId: content.id, taskId: bootTask.id, imageType: 'featured', position: 0, prompt: 'Muddy boots' },
        { accountId: account.accountId, contentId: content.id, taskId: bootTask.id, imageType: 'desktop', position: 1, prompt: 'Laces', status: 'failed' },
      ],
    });

    const names = async (path: string, field: string) => (await list(path)).body.results.map((row: Record<string, unknown>) => row[field]);
    expect(await names('/api/v1/planner/clusters/?search=boot', 'name')).toEqual(['Hiking Boots']);
    expect(await names(`/api/v1/planner/clusters/?sector_id=${winter}&status=archived`, 'name')).toEqual(['Skis']);
    expect(await names('/api/v1/planner/clusters/?ordering=-volume', 'name')).toEqual(['Skis', 'Hiking Boots']);
    expect(await names(`/api/v1/planner/ideas/?sector_id=${winter}`, 'idea_title')).toEqual(['Waxing skis']);
    expect(await names(`/api/v1/planner/ideas/?cluster_id=${boots.id}&search=BOOTS`, 'idea_title')).toEqual(['Breaking in boots']);
    expect(await names('/api/v1/planner/ideas/?status=scheduled', 'idea_title')).toEqual(['Waxing skis']);
    expect(await names('/api/v1/writer/tasks/?search=ski', 'id')).toEqual([skiTask.id]);
    expect(await names(`/api/v1/writer/tasks/?cluster_id=${boots.id}&status=completed`, 'id')).toEqual([bootTask.id]);
    expect(await names('/api/v1/writer/tasks/?ordering=-title', 'title')).toEqual(['Ski care', 'Boot care']);
    expect(await names('/api/v1/writer/content/?search=care guide&status=review', 'id')).toEqual([content.id]);
    expect(await names('/api/v1/writer/images/?image_type=desktop', 'prompt')).toEqual(['Laces']);
    expect(await names('/api/v1/writer/images/?search=muddy', 'prompt')).toEqual(['Muddy boots']);
    expect(await names('/api/v1/writer/images/?ordering=-position', 'position')).toEqual([1, 0]);
    expect(await names('/api/v1/writer/images/', 'position')).toEqual([0, 1]);
    expect((await list('/api/v1/writer/images/?image_type=banner')).status).toBe(400);
    expect((await list('/api/v1/writer/tasks/?search=ski', other)).body.count).toBe(0);
  });
});

describe('the OpenAPI document', () => {
  it('lists ordering, search and the page links of the lists', async () => {
    const doc = await stack.api('GET', '/docs/json');
    const keywords = doc.body.paths['/api/v1/planner/keywords/'].get;
    expect(keywords.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['ordering', 'search', 'status', 'cluster_id', 'sector_id']));
    expect(keywords.responses['200'].content['application/json'].schema.properties).toHaveProperty('next');
    expect(keywords.responses['200'].content['application/json'].schema.properties).toHaveProperty('previous');
  });
});
