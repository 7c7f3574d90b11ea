import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { Client as TemporalClient } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../api/app';
import { StreamTokens, streamPath } from '../api/live-progress/stream-token';
import { PRUNE_LOCK, pruneTaskEvents } from '../api/live-progress/prune-task-events';
import { apiClient, startTestStack, type TestAccount, type TestStack } from './support/stack';
import { EventStreamReader } from './support/event-stream-reader';
import { runApiProcessToExit, startApiProcess } from './support/api-process';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Builds another API on the suite's database and Temporal, listening on a random port. */
async function extraApi(options: Partial<Parameters<typeof buildApp>[0]> = {}): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const app = await buildApp({ prisma: stack.prisma, temporal: stack.temporal, taskQueue: stack.taskQueue, databaseUrl: stack.databaseUrl, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** A finished run with its `done` event, written as the worker writes them. */
async function finishedRun(owner: TestAccount, name: string): Promise<string> {
  const taskId = `auto_cluster-a${owner.accountId}-${name}`;
  await stack.prisma.aITaskLog.create({
    data: { taskId, accountId: owner.accountId, functionName: 'auto_cluster', status: 'success', phase: 'DONE', finishedAt: new Date() },
  });
  await stack.prisma.taskEvent.create({ data: { taskId, event: 'done', data: { state: 'SUCCESS' } } });
  return taskId;
}

/** A run accepted but not started: its stream stays open, waiting. */
async function waitingRun(owner: TestAccount, name: string): Promise<string> {
  const taskId = `auto_cluster-a${owner.accountId}-${name}`;
  await stack.prisma.aITaskLog.create({ data: { taskId, accountId: owner.accountId, functionName: 'auto_cluster', status: 'pending' } });
  return taskId;
}

describe('STREAM_TOKEN_SECRET', () => {
  it('is never derived from the database URL: a token signed with the URL is refused', async () => {
    const owner = await stack.createAccount();
    const taskId = await waitingRun(owner, 'forged');
    const derived = createHmac('sha256', 'ai-task-service stream tokens').update(stack.databaseUrl, 'utf8').digest('hex');
    const forged = new StreamTokens(derived).issue(taskId, owner.accountId);
    const reader = await EventStreamReader.open(`${stack.baseUrl}${streamPath(taskId)}?token=${forged}`);
    reader.close();
    expect(reader.status).toBe(401);
  });

  it('without one, each API process signs with its own random secret: another process refuses its tokens', async () => {
    const owner = await stack.createAccount();
    const taskId = await waitingRun(owner, 'elsewhere');
    const { stream_url } = (await stack.api('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: owner.apiKey })).body;
    const here = await EventStreamReader.open(`${stack.baseUrl}${stream_url}`);
    here.close();
    expect(here.status).toBe(200);
    const other = await extraApi();
    try {
      const there = await EventStreamReader.open(`${other.baseUrl}${stream_url}`);
      expect(there.status).toBe(401);
    } finally {
      await other.app.close();
    }
  });

  it('is required when NODE_ENV=production: the API refuses to start, naming it', async () => {
    const { code, output } = await runApiProcessToExit(stack, { NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(output.join('\n')).toMatch(/STREAM_TOKEN_SECRET is required when NODE_ENV=production/);
    expect(output.join('\n')).not.toContain('API listening');
  });

  it('set in production, the API starts and accepts tokens signed with it', async () => {
    const secret = randomBytes(32).toString('base64');
    const api = await startApiProcess(stack, { NODE_ENV: 'production', STREAM_TOKEN_SECRET: secret });
    try {
      const owner = await stack.createAccount();
      const taskId = await finishedRun(owner, 'production');
      const events = await (await EventStreamReader.open(`${api.baseUrl}${streamPath(taskId)}?token=${new StreamTokens(secret).issue(taskId, owner.accountId)}`)).toEnd();
      expect(events.at(-1)).toMatchObject({ event: 'done' });
      expect(api.output.filter((line) => line.includes('STREAM_TOKEN_SECRET'))).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('unset outside production, the API starts with a random secret and logs one warning', async () => {
    const api = await startApiProcess(stack, {});
    try {
      await new Promise((r) => setTimeout(r, 300));
      const warnings = api.output.filter((line) => line.includes('STREAM_TOKEN_SECRET'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/restart|process/);
    } finally {
      await api.stop();
    }
  });
});

describe('secrets in integration settings', () => {
  const path = '/api/v1/system/settings/integrations/openai/';
  let owner: TestAccount;

  beforeAll(async () => {
    owner = await stack.createAccount('Secrets');
  });

  const stored = async () =>
    (await stack.prisma.integrationSettings.findUniqueOrThrow({
      where: { accountId_integrationType: { accountId: owner.accountId, integrationType: 'openai' } },
    })).config;

  it('masks secret-looking keys at any depth and credentials inside URLs, and a PUT of the masked form keeps them', async () => {
    const config = {
      apiKey: 'sk-live-0123456789abcdefghij',
      model: 'gpt-4o-mini',
      max_tokens: 1000,
      headers: { Authorization: 'Bearer hdr-0123456789abcdef', 'X-Api-Key': 'xak-0123456789' },
      proxy: { url: 'http://proxy-user:proxy-pass@proxy.internal:8080', PASSWORD: 'hunter22' },
      fallbacks: [{ baseUrl: 'https://alice:wonderland@llm.example/v1', client_secret: 'cs-0123456789abcdefghijkl' }],
    };
    await stack.api('PUT', path, { key: owner.apiKey, body: { config } });
    const shown = (await stack.api('GET', path, { key: owner.apiKey })).body.data.config;
    expect(shown).toEqual({
      apiKey: '••••ghij',
      model: 'gpt-4o-mini',
      max_tokens: 1000,
      headers: { Authorization: '••••cdef', 'X-Api-Key': '••••' },
      proxy: { url: 'http://••••:••••@proxy.internal:8080', PASSWORD: '••••' },
      fallbacks: [{ baseUrl: 'https://••••:••••@llm.example/v1', client_secret: '••••ijkl' }],
    });
    await stack.api('PUT', path, { key: owner.apiKey, body: { config: shown } });
    expect(await stored()).toEqual(config);
  });

  const secretKeys = [
    'apiKey', 'api_key', 'API_KEY', 'x-api-key', 'ApiKey', 'password', 'Password', 'db_password', 'passwd', 'secret', 'client_secret',
    'clientSecret', 'token', 'accessToken', 'refresh_token', 'Authorization', 'authorization', 'auth', 'privateKey', 'private_key', 'credentials',
  ];
  const plainKeys = ['settings', 'headers', 'proxy', 'extra', 'options'];
  const secretValue = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((s) => `Sx${s}`);
  const placedSecret = fc.record({ at: fc.array(fc.constantFrom(...plainKeys), { maxLength: 4 }), key: fc.constantFrom(...secretKeys), value: secretValue });
  const placedUrl = fc.record({
    at: fc.array(fc.constantFrom(...plainKeys), { maxLength: 4 }),
    user: fc.stringMatching(/^[a-z0-9]{8,16}$/).map((s) => `u${s}`),
    pass: fc.stringMatching(/^[a-z0-9]{8,16}$/).map((s) => `p${s}`),
  });

  function place(config: Record<string, any>, at: string[], key: string, value: unknown) {
    let node = config;
    for (const segment of at) node = node[segment] = typeof node[segment] === 'object' && node[segment] !== null ? node[segment] : {};
    node[key] = value;
  }

  it('any secret key name at any depth, any URL credentials: never shown, and kept when the masked form comes back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(placedSecret, { minLength: 1, maxLength: 6 }), fc.array(placedUrl, { maxLength: 3 }), async (secrets, urls) => {
        await stack.prisma.integrationSettings.deleteMany({ where: { accountId: owner.accountId } });
        const config: Record<string, any> = { model: 'gpt-4o-mini', max_tokens: 800, tokens_per_minute: 9000 };
        secrets.forEach(({ at, key, value }) => place(config, at, key, value));
        urls.forEach(({ at, user, pass }, i) => place(config, at, `endpoint_${i}`, `https://${user}:${pass}@llm${i}.example/v1`));
        expect((await stack.api('PUT', path, { key: owner.apiKey, body: { config } })).status).toBe(200);
        const shown = await stack.api('GET', path, { key: owner.apiKey });
        const text = JSON.stringify(shown.body);
        for (const { value } of secrets) if (JSON.stringify(config).includes(value)) expect(text).not.toContain(value);
        for (const { user, pass } of urls) {
          expect(text).not.toContain(user);
          expect(text).not.toContain(pass);
        }
        expect(shown.body.data.config).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 800, tokens_per_minute: 9000 });
        await stack.api('PUT', path, { key: owner.apiKey, body: { config: shown.body.data.config } });
        expect(await stored()).toEqual(config);
      }),
      { numRuns: 40 },
    );
  });
});

describe('CORS', () => {
  it('allows every method the API has to the configured origins', async () => {
    const { app, baseUrl } = await extraApi({ corsOrigins: ['https://app.example'] });
    try {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        const preflight = await fetch(`${baseUrl}/api/v1/system/prompts/clustering/`, {
          method: 'OPTIONS',
          headers: { origin: 'https://app.example', 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
        });
        expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
        expect(preflight.headers.get('access-control-allow-methods')?.split(',').map((m) => m.trim())).toContain(method);
      }
    } finally {
      await app.close();
    }
  });
});

describe('start rate limits', () => {
  let limited: { app: FastifyInstance; baseUrl: string };
  let api: TestStack['api'];

  beforeAll(async () => {
    limited = await extraApi({ startRateLimitPerMinute: 3 });
    api = apiClient(limited.baseUrl);
  });

  afterAll(async () => {
    await limited?.app.close();
  });

  // Unknown ids: each start is refused (404) after being counted, and nothing runs.
  const start = (owner: TestAccount, path = '/api/v1/planner/keywords/auto_cluster/') =>
    api('POST', path, { key: owner.apiKey, body: { ids: [2_000_000_000] } });

  it('answers 429 with Retry-After in the project shape once an account has made its starts of the minute', async () => {
    const owner = await stack.createAccount();
    for (let i = 0; i < 3; i++) expect((await start(owner)).status).toBe(404);
    const response = await fetch(`${limited.baseUrl}/api/v1/writer/tasks/auto_generate_content/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [1] }),
    });
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await response.json()) as { success: boolean; error: string };
    expect(Object.keys(body).sort()).toEqual(['error', 'request_id', 'success']);
    expect(body.error).toMatch(/3 task starts a minute/);
  });

  it('counts retries with starts, per account, and leaves other endpoints alone', async () => {
    const owner = await stack.createAccount();
    const other = await stack.createAccount();
    expect((await start(owner, '/api/v1/writer/content/generate_image_prompts/')).status).toBe(404);
    expect((await api('POST', '/api/v1/system/tasks/auto_cluster-a1-unknown/retry/', { key: owner.apiKey })).status).toBe(404);
    expect((await start(owner)).status).toBe(404);
    expect((await api('POST', '/api/v1/system/tasks/auto_cluster-a1-unknown/retry/', { key: owner.apiKey })).status).toBe(429);
    expect((await start(owner)).status).toBe(429);
    expect((await start(other)).status).toBe(404);
    expect((await api('GET', '/api/v1/planner/keywords/', { key: owner.apiKey })).status).toBe(200);
  });
});

describe('retry', () => {
  it('three concurrent retries of one failed task start one run and all answer its task_id', async () => {
    const owner = await stack.createAccount();
    const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords: [{ keyword: 'retried once' }] } });
    const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: created.body.ids } });
    const failedId = started.body.task_id;
    expect((await stack.waitForTask(owner, failedId)).at(-1)!.state).toBe('FAILURE');

    const answers = await Promise.all([1, 2, 3].map(() => stack.api('POST', `/api/v1/system/tasks/${failedId}/retry/`, { key: owner.apiKey })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const retryIds = new Set(answers.map((a) => a.body.task_id));
    expect(retryIds.size).toBe(1);
    const runs = await stack.prisma.aITaskLog.findMany({ where: { retryOf: failedId } });
    expect(runs.map((r) => r.taskId)).toEqual([...retryIds]);
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: failedId } })).retriedAs).toBe(runs[0].taskId);
    // A later request answers the same retry.
    const later = await stack.api('POST', `/api/v1/system/tasks/${failedId}/retry/`, { key: owner.apiKey });
    expect(later.body).toMatchObject({ success: true, task_id: runs[0].taskId, retry_of: failedId });
    await stack.waitForTask(owner, runs[0].taskId);
  });

  it('a retry Temporal refuses frees the task for the next retry', async () => {
    const owner = await stack.createAccount();
    const failedId = `auto_cluster-a${owner.accountId}-refused`;
    await stack.prisma.aITaskLog.create({
      data: { taskId: failedId, accountId: owner.accountId, functionName: 'auto_cluster', status: 'error', phase: 'INIT', payload: { ids: [1] } },
    });
    // A real client of the same server, on a namespace that does not exist: Temporal refuses the start.
    const nowhere = new TemporalClient({ connection: stack.temporal.connection, namespace: `missing-${randomBytes(4).toString('hex')}` });
    const refusing = await extraApi({ temporal: nowhere });
    try {
      const refused = await apiClient(refusing.baseUrl)('POST', `/api/v1/system/tasks/${failedId}/retry/`, { key: owner.apiKey });
      expect(refused.status).toBe(503);
    } finally {
      await refusing.app.close();
    }
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: failedId } })).retriedAs).toBeNull();
    const retried = await stack.api('POST', `/api/v1/system/tasks/${failedId}/retry/`, { key: owner.apiKey });
    expect(retried.status).toBe(200);
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId: failedId } })).retriedAs).toBe(retried.body.task_id);
    await stack.waitForTask(owner, retried.body.task_id);
  });
});

describe('runs Temporal no longer has', () => {
  /** Deletes the run's workflow as an operator would, and waits until Temporal answers that it does not have it (the dev server takes ~20 s). */
  async function deleteRun(taskId: string) {
    await stack.temporal.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: taskId } });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        await stack.temporal.workflow.getHandle(taskId).describe();
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${taskId} was not deleted`);
  }

  it('reset of a failed run whose workflow was deleted answers 409 saying so; retry still works', async () => {
    const owner = await stack.createAccount();
    const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords: [{ keyword: 'deleted run' }] } });
    const taskId = (await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: created.body.ids } })).body.task_id;
    expect((await stack.waitForTask(owner, taskId)).at(-1)!.state).toBe('FAILURE');
    await stack.temporal.workflow.getHandle(taskId).result().catch(() => undefined);
    await deleteRun(taskId);

    const reset = await stack.api('POST', `/api/v1/system/tasks/${taskId}/reset/`, { key: owner.apiKey });
    expect(reset).toEqual({ status: 409, body: { success: false, error: expect.stringMatching(/no longer kept by Temporal.*retry/), request_id: expect.any(String) } });
    expect((await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } })).status).toBe('error');
    const retried = await stack.api('POST', `/api/v1/system/tasks/${taskId}/retry/`, { key: owner.apiKey });
    expect(retried.status).toBe(200);
    await stack.waitForTask(owner, retried.body.task_id);
  });

  it('cancel of a run whose workflow is gone answers 409 saying so', async () => {
    const owner = await stack.createAccount();
    const taskId = await waitingRun(owner, 'gone');
    const cancel = await stack.api('POST', `/api/v1/system/tasks/${taskId}/cancel/`, { key: owner.apiKey });
    expect(cancel).toEqual({ status: 409, body: { success: false, error: expect.stringMatching(/no longer kept by Temporal/), request_id: expect.any(String) } });
  });

  it('reset of a failed run past the namespace retention (Temporal has no such run) answers 409, leaving the record as it was', async () => {
    const owner = await stack.createAccount();
    const taskId = `auto_cluster-a${owner.accountId}-expired`;
    await stack.prisma.aITaskLog.create({
      data: { taskId, accountId: owner.accountId, functionName: 'auto_cluster', status: 'error', error: 'It failed long ago.', finishedAt: new Date() },
    });
    const reset = await stack.api('POST', `/api/v1/system/tasks/${taskId}/reset/`, { key: owner.apiKey });
    expect(reset).toEqual({ status: 409, body: { success: false, error: expect.stringMatching(/no longer kept by Temporal.*retry it instead/), request_id: expect.any(String) } });
    expect(await stack.prisma.aITaskLog.findUniqueOrThrow({ where: { taskId } })).toMatchObject({ status: 'error', error: 'It failed long ago.' });
  });
});

describe('pruning task_events', () => {
  const DAY = 24 * 3600 * 1000;
  const old = () => new Date(Date.now() - 10 * DAY);

  async function run(taskId: string, status: 'pending' | 'success' | 'error' | 'revoked') {
    const owner = await stack.createAccount();
    await stack.prisma.aITaskLog.create({ data: { taskId, accountId: owner.accountId, functionName: 'auto_cluster', status } });
  }

  async function events(taskId: string, count: number, createdAt: Date) {
    await stack.prisma.taskEvent.createMany({ data: Array.from({ length: count }, (_, i) => ({ taskId, event: 'progress', data: { i }, createdAt })) });
  }

  const left = async (taskId: string) => stack.prisma.taskEvent.count({ where: { taskId } });

  it("deletes the old events of ended runs in bounded batches, and keeps recent ones and running runs' (their child runs' too)", async () => {
    await run('prune-ended-old', 'success');
    await run('prune-failed-old', 'error');
    await run('prune-ended-recent', 'revoked');
    await run('prune-running', 'pending');
    await events('prune-ended-old', 5, old());
    await events('prune-failed-old', 2, old());
    await events('prune-ended-recent', 3, new Date());
    await events('prune-running', 4, old());
    await events('prune-running-generate_images', 2, old());
    await events('prune-no-record', 2, old());

    const pass = await pruneTaskEvents(stack.databaseUrl, { retentionMs: 7 * DAY, batchSize: 2 });
    expect(pass).toEqual({ deleted: 9, batches: 5 });
    expect(await left('prune-ended-old')).toBe(0);
    expect(await left('prune-failed-old')).toBe(0);
    expect(await left('prune-no-record')).toBe(0);
    expect(await left('prune-ended-recent')).toBe(3);
    expect(await left('prune-running')).toBe(4);
    expect(await left('prune-running-generate_images')).toBe(2);
  });

  it('runs one pass at a time across processes: a pass finding the lock taken deletes nothing', async () => {
    await run('prune-locked', 'success');
    await events('prune-locked', 3, old());
    const other = new PgClient({ connectionString: stack.databaseUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::int, $2::int)', [PRUNE_LOCK.classId, PRUNE_LOCK.objectId]);
      expect(await pruneTaskEvents(stack.databaseUrl, { retentionMs: 7 * DAY })).toBeUndefined();
      expect(await left('prune-locked')).toBe(3);
    } finally {
      await other.end();
    }
    expect(await pruneTaskEvents(stack.databaseUrl, { retentionMs: 7 * DAY })).toMatchObject({ deleted: 3 });
  });

  it('the API process prunes on its own, keeping TASK_EVENTS_RETENTION', async () => {
    await run('prune-by-api', 'success');
    await events('prune-by-api', 3, new Date(Date.now() - 60_000));
    await events('prune-by-api-kept', 1, new Date(Date.now() - 60_000));
    await run('prune-by-api-kept', 'pending');
    const api = await startApiProcess(stack, { TASK_EVENTS_RETENTION: '30s' });
    try {
      for (let i = 0; i < 100 && (await left('prune-by-api')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await left('prune-by-api')).toBe(0);
      expect(await left('prune-by-api-kept')).toBe(1);
    } finally {
      await api.stop();
    }
  });
});
