import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { createPrismaClient } from '../db/client';
import { startTestStack, type ApiAnswer, type TestAccount, type TestStack } from './support/stack';

let stack: TestStack;
let account: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Contract');
  other = await stack.createAccount('Someone else');
});

afterAll(async () => {
  await stack?.stop();
});

/** Every error answer is exactly `{ success: false, error, request_id }`, with nothing else beside it. */
function expectError(answer: ApiAnswer, status: number, error: string | RegExp) {
  expect({ status: answer.status, keys: Object.keys(answer.body ?? {}).sort() }).toEqual({ status, keys: ['error', 'request_id', 'success'] });
  expect(answer.body.success).toBe(false);
  if (typeof error === 'string') expect(answer.body.error).toBe(error);
  else expect(answer.body.error).toMatch(error);
}

async function defaultSite(owner: TestAccount) {
  return stack.prisma.site.findFirstOrThrow({ where: { accountId: owner.accountId }, orderBy: { id: 'asc' } });
}

function listSectors(owner: TestAccount, query = '') {
  return stack.api('GET', `/api/v1/planner/sectors/${query}`, { key: owner.apiKey });
}

function createSector(owner: TestAccount, body: unknown) {
  return stack.api('POST', '/api/v1/planner/sectors/', { key: owner.apiKey, body });
}

describe('GET and POST /api/v1/planner/sectors/', () => {
  it("lists the account's default sector with its site", async () => {
    const owner = await stack.createAccount('Fresh');
    const site = await defaultSite(owner);
    const list = await listSectors(owner);
    expect(list).toEqual({
      status: 200,
      body: {
        success: true,
        count: 1,
        results: [{ id: owner.sectorId, name: 'General', site_id: site.id, site_name: 'Default site', created_at: expect.any(String) }],
      },
    });
    expect(Number.isNaN(Date.parse(list.body.results[0].created_at))).toBe(false);
  });

  it('creates a sector in the default site when no site_id is given, and files keywords under it', async () => {
    const created = await createSector(account, { name: '  Trail running ' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ success: true, ids: [expect.any(Number)] });
    const [id] = created.body.ids;
    const site = await defaultSite(account);
    const list = await listSectors(account, `?ids=${id}`);
    expect(list.body).toEqual({
      success: true,
      count: 1,
      results: [{ id, name: 'Trail running', site_id: site.id, site_name: 'Default site', created_at: expect.any(String) }],
    });

    const keywords = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords: [{ keyword: 'trail shoes' }], sector_id: id } });
    expect(keywords.status).toBe(200);
    const listed = await stack.api('GET', `/api/v1/planner/keywords/?sector_id=${id}`, { key: account.apiKey });
    expect(listed.body.results.map((k: { keyword: string; sector_id: number }) => [k.keyword, k.sector_id])).toEqual([['trail shoes', id]]);
  });

  it('creates a sector in a site the caller names, and lists by site', async () => {
    const shop = await stack.prisma.site.create({ data: { accountId: account.accountId, name: 'Shop' } });
    const created = await createSector(account, { name: 'Trail running', site_id: shop.id });
    expect(created.status).toBe(200);
    const list = await listSectors(account, `?site_id=${shop.id}`);
    expect(list.body).toEqual({
      success: true,
      count: 1,
      results: [{ id: created.body.ids[0], name: 'Trail running', site_id: shop.id, site_name: 'Shop', created_at: expect.any(String) }],
    });
  });

  it("answers 404 for another account's site and creates nothing", async () => {
    const theirs = await defaultSite(other);
    const before = await stack.prisma.sector.count();
    expectError(await createSector(account, { name: 'Borrowed', site_id: theirs.id }), 404, `Site ${theirs.id} not found.`);
    expectError(await createSector(account, { name: 'Nowhere', site_id: 99999999 }), 404, 'Site 99999999 not found.');
    expect(await stack.prisma.sector.count()).toBe(before);
  });

  it('answers 409 naming the sector and site when the name is taken in that site', async () => {
    const site = await defaultSite(account);
    expectError(
      await createSector(account, { name: 'General' }),
      409,
      `A sector named "General" already exists in site ${site.id} (Default site).`,
    );
    // The same name is free in another account.
    expect((await createSector(other, { name: 'Trail running' })).status).toBe(200);
  });

  it("keeps accounts apart: a list shows only the caller's sectors", async () => {
    const mine = await createSector(account, { name: 'Only mine' });
    const theirs = await listSectors(other);
    const theirSites = (await stack.prisma.site.findMany({ where: { accountId: other.accountId } })).map((s) => s.id);
    expect(theirs.body.results.map((s: { id: number }) => s.id)).not.toContain(mine.body.ids[0]);
    expect(theirs.body.results.every((s: { site_id: number }) => theirSites.includes(s.site_id))).toBe(true);
    expect(theirs.body.count).toBe(theirs.body.results.length);
  });

  it('answers 400 naming the field for an empty name', async () => {
    expectError(await createSector(account, { name: '   ' }), 400, /body\.name: name must not be empty/);
  });
});

describe('GET /api/v1/system/ai-task-logs/', () => {
  let reader: TestAccount;
  const base = Date.parse('2030-01-01T00:00:00Z');

  /** A run record as the service writes it, `minutes` after a fixed time so the order is known. */
  function logRow(owner: TestAccount, taskId: string, minutes: number, fields: Record<string, unknown> = {}) {
    return stack.prisma.aITaskLog.create({
      data: {
        taskId,
        accountId: owner.accountId,
        functionName: 'auto_cluster',
        status: 'success',
        phase: 'DONE',
        requestSteps: [{ stepNumber: 1, stepName: 'INIT', status: 'success', message: 'Validating' }],
        createdAt: new Date(base + minutes * 60_000),
        ...fields,
      },
    });
  }

  function listLogs(owner: TestAccount, query = '') {
    return stack.api('GET', `/api/v1/system/ai-task-logs/${query}`, { key: owner.apiKey });
  }

  const taskIds = (answer: ApiAnswer) => answer.body.results.map((r: { task_id: string }) => r.task_id);

  beforeAll(async () => {
    reader = await stack.createAccount('Log reader');
    await logRow(reader, 'log-1', 1);
    await logRow(reader, 'log-2', 2, { functionName: 'generate_ideas', status: 'error', phase: 'AI_CALL', error: 'Provider said no' });
    await logRow(reader, 'log-3', 3, { functionName: 'generate_ideas' });
    await logRow(reader, 'log-4', 4, { status: 'pending', phase: 'INIT' });
    await logRow(other, 'log-other', 5);
  });

  it('lists the run that a start wrote, with how it ended, and without step logs', async () => {
    const owner = await stack.createAccount('Unconfigured');
    const keywords = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords: [{ keyword: 'a' }, { keyword: 'b' }] } });
    const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: keywords.body.ids } });
    expect(started.status).toBe(200);
    await stack.waitForTask(owner, started.body.task_id);

    const list = await listLogs(owner);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      success: true,
      count: 1,
      results: [
        {
          task_id: started.body.task_id,
          function_name: 'auto_cluster',
          phase: 'INIT',
          message: expect.any(String),
          status: 'error',
          duration: expect.any(Number),
          cost: 0,
          tokens: 0,
          error: `OpenAI IntegrationSettings not configured for account ${owner.accountId}. Please configure OpenAI settings in the integration page.`,
          payload: { ids: keywords.body.ids, sector_id: null, prompt_override: null },
          result: null,
          retry_of: null,
          retried_as: null,
          reparsed_at: null,
          created_at: expect.any(String),
          started_at: expect.any(String),
          finished_at: expect.any(String),
        },
      ],
    });

    const withSteps = await listLogs(owner, '?include_steps=true');
    expect(withSteps.body.results[0].request_steps).toEqual(expect.arrayContaining([expect.objectContaining({ stepName: expect.any(String), status: expect.any(String) })]));
    expect(Array.isArray(withSteps.body.results[0].response_steps)).toBe(true);
  });

  it('lists newest first, with the total and a page of it', async () => {
    expect(taskIds(await listLogs(reader))).toEqual(['log-4', 'log-3', 'log-2', 'log-1']);
    const page = await listLogs(reader, '?limit=2&offset=1');
    expect(page.body.count).toBe(4);
    expect(taskIds(page)).toEqual(['log-3', 'log-2']);
  });

  it('filters by status and by function, alone or together', async () => {
    expect(taskIds(await listLogs(reader, '?status=error'))).toEqual(['log-2']);
    expect(taskIds(await listLogs(reader, '?function_name=generate_ideas'))).toEqual(['log-3', 'log-2']);
    const both = await listLogs(reader, '?function_name=generate_ideas&status=success');
    expect({ count: both.body.count, ids: taskIds(both) }).toEqual({ count: 1, ids: ['log-3'] });
    expectError(await listLogs(reader, '?status=done'), 400, /querystring\.status/);
    expectError(await listLogs(reader, '?function_name=write_poem'), 400, /querystring\.function_name/);
  });

  it('adds the step logs only when include_steps is set', async () => {
    const plain = await listLogs(reader, '?limit=1');
    expect(plain.body.results[0]).not.toHaveProperty('request_steps');
    expect(plain.body.results[0]).not.toHaveProperty('response_steps');
    const withSteps = await listLogs(reader, '?limit=1&include_steps=1');
    expect(withSteps.body.results[0]).toMatchObject({
      task_id: 'log-4',
      request_steps: [{ stepNumber: 1, stepName: 'INIT', status: 'success', message: 'Validating' }],
      response_steps: [],
    });
  });

  it('keeps accounts apart: each sees only its own runs', async () => {
    const theirs = await listLogs(other);
    expect(taskIds(theirs)).toEqual(['log-other']);
    expect(taskIds(await listLogs(reader))).not.toContain('log-other');
  });
});

describe('the error handler answers every failure as { success: false, error }', () => {
  const keywordsUrl = '/api/v1/planner/keywords/';

  it('answers 400 naming the query-string field', async () => {
    expectError(await stack.api('GET', `${keywordsUrl}?limit=9999`, { key: account.apiKey }), 400, /^Invalid request querystring\.limit: /);
    expectError(
      await stack.api('GET', `${keywordsUrl}?ids=a,b`, { key: account.apiKey }),
      400,
      'Invalid request querystring.ids: ids must be comma-separated integers, like 1,2,3',
    );
    expectError(await stack.api('GET', '/api/v1/writer/content/?offset=-1', { key: account.apiKey }), 400, /querystring\.offset/);
  });

  it('answers 400 for a malformed or empty JSON body', async () => {
    expectError(await stack.api('POST', keywordsUrl, { key: account.apiKey, body: '{"keywords": [' }), 400, /not valid JSON/);
    expectError(await stack.api('POST', keywordsUrl, { key: account.apiKey, body: '' }), 400, 'The JSON body is empty.');
  });

  it('answers 401 without a key, with a wrong one, or with another scheme', async () => {
    const message = 'Missing or invalid API key: send "Authorization: Bearer <api_key>".';
    expectError(await stack.api('GET', keywordsUrl), 401, message);
    expectError(await stack.api('GET', keywordsUrl, { key: 'not-a-key' }), 401, message);
    expectError(await stack.api('GET', keywordsUrl, { headers: { authorization: `Basic ${account.apiKey}` } }), 401, message);
  });

  it('answers 404 for an unknown route and for an id the caller does not own', async () => {
    expectError(await stack.api('GET', '/api/v1/planner/nothing-here/?x=1', { key: account.apiKey }), 404, 'No route GET /api/v1/planner/nothing-here/');
    const theirs = await stack.prisma.writerTask.create({
      data: { accountId: other.accountId, siteId: (await defaultSite(other)).id, sectorId: other.sectorId, title: 'Theirs' },
    });
    const content = await stack.prisma.content.create({
      data: { accountId: other.accountId, siteId: theirs.siteId, sectorId: theirs.sectorId, taskId: theirs.id, title: 'Theirs' },
    });
    expectError(await stack.api('GET', `/api/v1/writer/content/${content.id}/`, { key: account.apiKey }), 404, `Content ${content.id} not found.`);
    expect((await stack.api('GET', `/api/v1/writer/content/${content.id}/`, { key: other.apiKey })).status).toBe(200);
  });

  it('answers 409 for a duplicate', async () => {
    expect((await stack.api('POST', keywordsUrl, { key: account.apiKey, body: { keywords: [{ keyword: 'only once' }] } })).status).toBe(200);
    expectError(
      await stack.api('POST', keywordsUrl, { key: account.apiKey, body: { keywords: [{ keyword: 'only once' }] } }),
      409,
      `Keywords already exist in sector ${account.sectorId}: only once.`,
    );
  });

  it('answers 413 for a body over 1 MiB and saves nothing', async () => {
    const before = await stack.prisma.keyword.count({ where: { accountId: account.accountId } });
    const keywords = Array.from({ length: 15_000 }, (_, i) => ({ keyword: `long tail keyword number ${i} padded out`.padEnd(90, '.') }));
    const body = JSON.stringify({ keywords });
    expect(body.length).toBeGreaterThan(1.4 * 1024 * 1024);
    expectError(await stack.api('POST', keywordsUrl, { key: account.apiKey, body }), 413, 'Request body is too large.');
    expect(await stack.prisma.keyword.count({ where: { accountId: account.accountId } })).toBe(before);
  });

  it('answers 415 for a body that is not JSON', async () => {
    // fetch directly: the stack's helper labels every body application/json.
    const post = (contentType: string, body: string) =>
      fetch(`${stack.baseUrl}${keywordsUrl}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': contentType },
        body,
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    expectError(await post('application/x-www-form-urlencoded', 'keyword=running'), 415, 'Send the body as application/json.');
    expectError(await post('application/xml', '<keyword>running</keyword>'), 415, 'Send the body as application/json.');
    // Fastify reads text/plain as a string, which the body schema then rejects.
    expectError(await post('text/plain', 'keyword=running'), 400, /^Invalid request body: /);
  });

  it('answers 500 without internals when a stored row cannot be represented', async () => {
    // PostgreSQL stores NaN in a double column; no JSON number can carry it, so the response fails.
    const broken = await stack.createAccount('Broken row');
    await stack.prisma.aITaskLog.create({ data: { taskId: 'log-nan', accountId: broken.accountId, functionName: 'auto_cluster' } });
    await stack.prisma.$executeRaw`UPDATE ai_task_logs SET cost = 'NaN' WHERE task_id = 'log-nan'`;
    const answer = await stack.api('GET', '/api/v1/system/ai-task-logs/', { key: broken.apiKey });
    expect(answer.body).toEqual({ success: false, error: 'Internal server error', request_id: expect.any(String) });
    expect(answer.status).toBe(500);
  });
});

describe('when PostgreSQL is unreachable', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  const unreachable = createPrismaClient('postgresql://postgres@127.0.0.1:1/x');

  beforeAll(async () => {
    app = await buildApp({ prisma: unreachable, temporal: stack.temporal, taskQueue: stack.taskQueue });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await unreachable.$disconnect();
  });

  it('health answers 503 naming the database, with Temporal ok', async () => {
    const response = await fetch(`${baseUrl}/api/v1/health/`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ success: false, database: 'unreachable', temporal: 'ok', error: 'Unreachable: database', request_id: expect.any(String) });
  });

  it('liveness answers 200 without asking the unreachable database', async () => {
    const response = await fetch(`${baseUrl}/api/v1/health/live/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true });
  });

  it('an authenticated route answers 503 saying the database is unreachable, not 500', async () => {
    const response = await fetch(`${baseUrl}/api/v1/planner/sectors/`, { headers: { authorization: `Bearer ${account.apiKey}` } });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ success: false, error: 'The database is unreachable; try again shortly.', request_id: expect.any(String) });
  });
});
