import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { appendSuiteLog, readSuiteLog } from './support/suite-log';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Request ids');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

async function send(path: string, init: { method?: string; requestId?: string; key?: string; body?: unknown; baseUrl?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.requestId !== undefined) headers['x-request-id'] = init.requestId;
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${init.baseUrl ?? stack.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, header: response.headers.get('x-request-id'), body: text ? JSON.parse(text) : undefined };
}

async function keywords(words: string[]): Promise<number[]> {
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: account.apiKey, body: { keywords: words.map((keyword) => ({ keyword })) } });
  return created.body.ids;
}

describe('X-Request-Id', () => {
  it('is on every response: a new UUID, or the caller’s own when well formed', async () => {
    expect((await send('/api/v1/health/live/')).header).toMatch(UUID);
    expect((await send('/api/v1/health/live/', { requestId: 'web.modal-42:retry_1' })).header).toBe('web.modal-42:retry_1');
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', '']) {
      expect({ bad, header: (await send('/api/v1/health/live/', { requestId: bad })).header }).toEqual({ bad, header: expect.stringMatching(UUID) });
    }
    const ok = await send('/api/v1/planner/sectors/', { key: account.apiKey, requestId: 'list-1' });
    expect(ok).toMatchObject({ status: 200, header: 'list-1' });
  });

  it('is in every error body, equal to the header: 400, 401, 404 (route and row), 409 and a router refusal', async () => {
    const answers = {
      400: await send('/api/v1/planner/keywords/', { method: 'POST', key: account.apiKey, body: { keywords: [] } }),
      401: await send('/api/v1/planner/keywords/'),
      404: await send('/api/v1/nowhere/', { key: account.apiKey, requestId: 'lost-1' }),
      '404 row': await send('/api/v1/writer/content/99999999/', { key: account.apiKey }),
      409: await send('/api/v1/planner/sectors/', { method: 'POST', key: account.apiKey, body: { name: 'General' } }),
      'bad URL': await send('/api/v1/planner/keywords/%zz/', { key: account.apiKey, requestId: 'bad-url-1' }),
    };
    for (const [name, answer] of Object.entries(answers)) {
      expect({ name, keys: Object.keys(answer.body).sort(), success: answer.body.success }).toEqual({ name, keys: ['error', 'request_id', 'success'], success: false });
      expect({ name, request_id: answer.body.request_id }).toEqual({ name, request_id: answer.header });
    }
    expect(answers[401].status).toBe(401);
    expect(answers[404]).toMatchObject({ status: 404, header: 'lost-1' });
    expect(answers['bad URL']).toMatchObject({ status: 400, header: 'bad-url-1', body: { error: 'The URL is not valid: it holds a malformed %-escape.' } });
  });

  it('is on the API’s log lines of the request (reqId)', async () => {
    // A row no JSON number can carry makes the list fail, and a 5xx is logged with its request.
    await stack.prisma.aITaskLog.create({ data: { taskId: `nan-${randomUUID()}`, accountId: account.accountId, functionName: 'auto_cluster' } });
    await stack.prisma.$executeRaw`UPDATE ai_task_logs SET cost = 'NaN' WHERE account_id = ${account.accountId}`;
    const requestId = `log-${randomUUID()}`;
    const failed = await send('/api/v1/system/ai-task-logs/', { key: account.apiKey, requestId });
    await stack.prisma.aITaskLog.deleteMany({ where: { accountId: account.accountId } });
    expect(failed).toMatchObject({ status: 500, body: { success: false, error: 'Internal server error', request_id: requestId } });
    const lines = readSuiteLog().split('\n').filter((line) => line.includes(requestId));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => JSON.parse(line).reqId === requestId)).toBe(true);
  });
});

describe('a run started by a request', () => {
  it('keeps the request id on its run record and in its memo, and the worker’s log lines of the run carry it', async () => {
    const requestId = `start-${randomUUID()}`;
    const started = await send('/api/v1/planner/keywords/auto_cluster/', { method: 'POST', key: account.apiKey, requestId, body: { ids: await keywords(['camp chair', 'camp table']) } });
    expect(started).toMatchObject({ status: 200, header: requestId });
    const taskId: string = started.body.task_id;
    expect((await stack.waitForTask(account, taskId)).at(-1)!.state).toBe('SUCCESS');

    expect(await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } })).toMatchObject({ requestId });
    const { memo } = await stack.temporal.workflow.getHandle(taskId).describe();
    expect(memo).toMatchObject({ request_id: requestId });

    appendSuiteLog(''); // the worker logs through the same file
    const completedLines = () =>
      readSuiteLog()
        .split('\n')
        .filter((line) => line.includes(taskId) && line.includes('Activity completed'));
    // A step's "completed" line is written once its function has returned, which may be just
    // after the record it completed is seen.
    const deadline = Date.now() + 5_000;
    while (completedLines().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const completed = completedLines();
    // The database steps and the provider call alike.
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(completed.some((line) => line.includes('"activityType":"requestCompletion"'))).toBe(true);
    expect(completed.filter((line) => !line.includes(`"requestId":"${requestId}"`))).toEqual([]);
  });

  it('without X-Request-Id, keeps the id the API generated and answered in the header', async () => {
    const started = await send('/api/v1/planner/keywords/auto_cluster/', { method: 'POST', key: account.apiKey, body: { ids: await keywords(['camp stove']) } });
    expect(started.header).toMatch(UUID);
    await stack.waitForTask(account, started.body.task_id);
    expect(await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: started.body.task_id } })).toMatchObject({ requestId: started.header });
  });
});

describe('an API with CORS origins and a start limit', () => {
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    app = await buildApp({ prisma: stack.prisma, temporal: stack.temporal, taskQueue: stack.taskQueue, startRateLimitPerMinute: 1, corsOrigins: ['https://app.example'] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lets a browser page read X-Request-Id', async () => {
    const response = await fetch(`${baseUrl}/api/v1/health/live/`, { headers: { origin: 'https://app.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
  });

  it('answers 429 with the request id too', async () => {
    const body = { ids: [99999999] };
    expect((await send('/api/v1/planner/keywords/auto_cluster/', { baseUrl, method: 'POST', key: account.apiKey, body })).status).toBe(404);
    const limited = await send('/api/v1/planner/keywords/auto_cluster/', { baseUrl, method: 'POST', key: account.apiKey, body, requestId: 'too-many-1' });
    expect(limited).toMatchObject({ status: 429, header: 'too-many-1', body: { success: false, request_id: 'too-many-1', error: expect.stringContaining('Too many task starts') } });
  });
});
