import { startTestStack, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Overrides');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

function lastUserMessage(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages;
  return messages.filter((m) => m.role === 'user').at(-1)!.content;
}

async function createKeywords(keywords: unknown[], sectorId?: number): Promise<number[]> {
  const answer = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords, ...(sectorId ? { sector_id: sectorId } : {}) } });
  expect(answer.status).toBe(200);
  return answer.body.ids;
}

async function cluster(ids: number[], sectorId?: number) {
  const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: account.apiKey, body: { ids, ...(sectorId ? { sector_id: sectorId } : {}) } });
  expect(started.status).toBe(200);
  const seen = await stack.waitForTask(account, started.body.task_id);
  return seen[seen.length - 1];
}

describe('volume_override and difficulty_override', () => {
  it('are stored with the seed keyword on create and shown in the list', async () => {
    const [id] = await createKeywords([{ keyword: 'ultralight tent', volume: 1000, difficulty: 40, seed_keyword: 'tent', volume_override: 1500, difficulty_override: 25 }]);
    const list = await stack.api('GET', `/api/v1/planner/keywords/?ids=${id}`, { key: account.apiKey });
    expect(list.body.results[0]).toMatchObject({ keyword: 'ultralight tent', volume: 1000, difficulty: 40, seed_keyword: 'tent', volume_override: 1500, difficulty_override: 25 });
    const bad = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords: [{ keyword: 'x', volume_override: -1 }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('body.keywords.0.volume_override');
  });

  it('stand for the keyword’s own figures in the clustering prompt and in the cluster’s volume', async () => {
    stack.provider.reset();
    const ids = await createKeywords([
      { keyword: 'winter tent', volume: 1000, difficulty: 40, volume_override: 2500, difficulty_override: 15 },
      { keyword: 'winter tent stakes', volume: 300, difficulty: 20 },
    ]);
    const final = await cluster(ids);
    expect(final.state).toBe('SUCCESS');

    const prompt = lastUserMessage(stack.provider.requests({ path: '/v1/chat/completions' })[0].body);
    expect(prompt).toContain('- winter tent (Volume: 2500, Difficulty: 15, Intent: informational)');
    expect(prompt).toContain('- winter tent stakes (Volume: 300, Difficulty: 20, Intent: informational)');

    const keywords = await stack.prisma.keyword.findMany({ where: { id: { in: ids } } });
    const clusters = await stack.prisma.cluster.findMany({ where: { id: { in: keywords.map((k) => k.clusterId!) } }, include: { keywords: true } });
    expect(clusters.length).toBeGreaterThan(0);
    for (const c of clusters) expect(Number(c.volume)).toBe(c.keywords.reduce((sum, k) => sum + (k.volumeOverride ?? k.volume), 0));
    expect(clusters.reduce((sum, c) => sum + Number(c.volume), 0)).toBe(2800);
  });

  it('move a cluster’s volume when edited', async () => {
    const [id] = await createKeywords([{ keyword: 'tent footprint', volume: 400 }]);
    await cluster([id]);
    const clusterId = (await stack.prisma.keyword.findUniqueOrThrow({ where: { id } })).clusterId!;
    const before = Number((await stack.prisma.cluster.findUniqueOrThrow({ where: { id: clusterId } })).volume);
    await stack.api('PATCH', `/api/v1/planner/keywords/${id}/`, { key: account.apiKey, body: { volume_override: 1400 } });
    const after = await stack.api('GET', `/api/v1/planner/clusters/${clusterId}/`, { key: account.apiKey });
    expect(after.body.data.volume).toBe(before + 1000);
  });
});

describe('auto_cluster with sector_id', () => {
  it('runs on that sector’s keywords; ids of another sector of the account are a 400 naming them, starting nothing', async () => {
    const created = await stack.api('POST', '/api/v1/planner/sectors/', { key: account.apiKey, body: { name: 'Climbing' } });
    const climbing = created.body.ids[0];
    const [rope, harness] = await createKeywords([{ keyword: 'dynamic rope' }, { keyword: 'climbing harness' }], climbing);
    const [camping] = await createKeywords([{ keyword: 'camping lantern' }]);
    const runs = await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } });

    const mixed = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: account.apiKey, body: { ids: [rope, camping, harness], sector_id: climbing } });
    expect(mixed.status).toBe(400);
    expect(mixed.body).toEqual({
      success: false,
      error: `Keywords not in sector ${climbing}: ${camping}. Send the ids of that sector, or leave out sector_id.`,
      request_id: expect.any(String),
    });
    expect(await stack.prisma.aITaskLog.count({ where: { accountId: account.accountId } })).toBe(runs);

    const final = await cluster([rope, harness], climbing);
    expect(final.state).toBe('SUCCESS');
    const clusters = await stack.prisma.cluster.findMany({ where: { keywords: { some: { id: { in: [rope, harness] } } } } });
    expect(clusters.every((c) => c.sectorId === climbing)).toBe(true);
  });
});
