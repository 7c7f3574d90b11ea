import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { buildApp } from '../api/app';
import { AI_FUNCTIONS } from '../functions';
import { startTestStack, type ApiAnswer, type TestAccount, type TestStack } from './support/stack';

/** The largest value of a PostgreSQL `integer` column. */
const INT4_MAX = 2_147_483_647;

let stack: TestStack;
let account: TestAccount;
/** A finished run of the account, so task paths reach their checks. */
let taskId: string;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('Door');
  taskId = `auto_cluster-a${account.accountId}-door`;
  await stack.prisma.aITaskLog.create({
    data: { taskId, accountId: account.accountId, functionName: 'auto_cluster', status: 'success', phase: 'DONE', finishedAt: new Date() },
  });
});

afterAll(async () => {
  await stack?.stop();
});

/** A 400 in the project's shape whose message names `field`. */
function expectRefused(answer: ApiAnswer, field: string) {
  expect({ status: answer.status, keys: Object.keys(answer.body ?? {}).sort(), success: answer.body?.success }).toEqual({
    status: 400,
    keys: ['error', 'request_id', 'success'],
    success: false,
  });
  expect(answer.body.error).toContain(field);
}

const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  stack.api(method, path, { key: account.apiKey, body, headers });

/** A place a number reaches a column: the field the answer must name, and a request putting `n` (digits) there. */
interface NumberDoor {
  field: string;
  request(n: string): Promise<ApiAnswer>;
  /** Numbers the field refuses below the column's range anyway (limit, difficulty). */
  smallerLimit?: boolean;
}

const stream = `/api/v1/system/settings/task_progress/`;

const numberDoors: NumberDoor[] = [
  ...AI_FUNCTIONS.map((f) => ({ field: 'body.ids', request: (n: string) => send('POST', f.start.path, `{"ids":[${n}]}`) })),
  { field: 'body.sector_id', request: (n) => send('POST', '/api/v1/planner/keywords/auto_cluster/', `{"ids":[1],"sector_id":${n}}`) },
  { field: 'body.keywords.0.volume', request: (n) => send('POST', '/api/v1/planner/keywords/', `{"keywords":[{"keyword":"k","volume":${n}}]}`) },
  {
    field: 'body.keywords.0.difficulty',
    smallerLimit: true,
    request: (n) => send('POST', '/api/v1/planner/keywords/', `{"keywords":[{"keyword":"k","difficulty":${n}}]}`),
  },
  { field: 'body.sector_id', request: (n) => send('POST', '/api/v1/planner/keywords/', `{"keywords":[{"keyword":"k"}],"sector_id":${n}}`) },
  { field: 'body.site_id', request: (n) => send('POST', '/api/v1/planner/sectors/', `{"name":"s","site_id":${n}}`) },
  { field: 'body.tasks.0.cluster_id', request: (n) => send('POST', '/api/v1/writer/tasks/', `{"tasks":[{"title":"t","cluster_id":${n}}]}`) },
  { field: 'body.tasks.0.idea_id', request: (n) => send('POST', '/api/v1/writer/tasks/', `{"tasks":[{"title":"t","idea_id":${n}}]}`) },
  { field: 'body.sector_id', request: (n) => send('POST', '/api/v1/writer/tasks/', `{"tasks":[{"title":"t"}],"sector_id":${n}}`) },
  ...[
    ['planner/keywords', ['ids', 'cluster_id', 'sector_id', 'limit', 'offset']],
    ['planner/clusters', ['ids', 'sector_id']],
    ['planner/ideas', ['ids', 'cluster_id']],
    ['planner/sectors', ['ids', 'site_id']],
    ['writer/tasks', ['ids', 'cluster_id', 'idea_id', 'sector_id']],
    ['writer/content', ['ids', 'task_id', 'sector_id']],
    ['writer/images', ['ids', 'content_id', 'task_id']],
    ['system/ai-task-logs', ['limit', 'offset']],
  ].flatMap(([list, params]) =>
    (params as string[]).map((param) => ({
      field: `querystring.${param}`,
      smallerLimit: param === 'limit',
      request: (n: string) => send('GET', `/api/v1/${list}/?${param}=${param === 'ids' ? `1,${n}` : n}`),
    })),
  ),
  { field: 'params.id', request: (n) => send('GET', `/api/v1/writer/content/${n}/`) },
  { field: 'Last-Event-ID', request: (n) => send('GET', `${stream}${taskId}/stream/`, undefined, { 'last-event-id': n }) },
  { field: 'querystring.lastEventId', request: (n) => send('GET', `${stream}${taskId}/stream/?lastEventId=${n}`) },
];

/** Integers beyond int4, written out in digits: just past it, and far past it. */
const beyondInt4 = fc.oneof(fc.bigInt({ min: 2_147_483_648n, max: 2_147_483_748n }), fc.bigInt({ min: 2_147_483_648n, max: 10n ** 40n }));

describe('numbers beyond the columns they reach', () => {
  it.each(numberDoors.map((door) => [door.field, door] as const))('%s one past int4 answers 400 naming the field', async (_field, door) => {
    expectRefused(await door.request(String(INT4_MAX + 1)), door.field);
  });

  it('any field, any number beyond int4: 400 naming the field, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...numberDoors), beyondInt4, async (door, n) => {
        expectRefused(await door.request(n.toString()), door.field);
      }),
      { numRuns: 150 },
    );
  });

  it("the column's largest value passes the door (an unknown id is 404, not 400 or 500)", async () => {
    for (const door of numberDoors.filter((d) => !d.smallerLimit)) {
      const answer = await door.request(String(INT4_MAX));
      expect([door.field, answer.status]).not.toEqual([door.field, 500]);
      if (answer.status === 400) expect(answer.body.error).not.toContain(door.field);
    }
  });
});

/** A place text reaches a column: the field the answer must name, and a request putting `text` there. */
interface TextDoor {
  field: string;
  request(text: string): Promise<ApiAnswer>;
}

const json = (value: unknown) => JSON.stringify(value);
const writerTask = (fields: Record<string, unknown>) => json({ tasks: [{ title: 'A task', ...fields }] });
const query = (text: string) => encodeURIComponent(text);

const textDoors: TextDoor[] = [
  { field: 'body.name', request: (t) => send('POST', '/api/v1/planner/sectors/', json({ name: t })) },
  { field: 'body.keywords.0.keyword', request: (t) => send('POST', '/api/v1/planner/keywords/', json({ keywords: [{ keyword: t }] })) },
  { field: 'body.keywords.1.intent', request: (t) => send('POST', '/api/v1/planner/keywords/', json({ keywords: [{ keyword: 'a' }, { keyword: 'b', intent: t }] })) },
  ...['title', 'description', 'keywords', 'content_type', 'content_structure', 'prompt_override', 'meta_title', 'meta_description'].map((name) => ({
    field: `body.tasks.0.${name}`,
    request: (t: string) => send('POST', '/api/v1/writer/tasks/', writerTask({ [name]: t })),
  })),
  { field: 'body.tasks.0.keywords.1', request: (t) => send('POST', '/api/v1/writer/tasks/', writerTask({ keywords: ['one', t] })) },
  { field: 'body.prompt_value', request: (t) => send('PUT', '/api/v1/system/prompts/clustering/', json({ prompt_value: t })) },
  ...AI_FUNCTIONS.map((f) => ({ field: 'body.prompt_override', request: (t: string) => send('POST', f.start.path, json({ ids: [1], prompt_override: t })) })),
  { field: 'body.config.model', request: (t) => send('PUT', '/api/v1/system/settings/integrations/openai/', json({ config: { model: t } })) },
  {
    field: 'body.config.headers.0.value',
    request: (t) => send('PUT', '/api/v1/system/settings/integrations/openai/', json({ config: { headers: [{ value: t }] } })),
  },
  { field: 'body.config', request: (t) => send('PUT', '/api/v1/system/settings/integrations/runware/', json({ config: { [t]: 'a key with NUL' } })) },
  ...['planner/keywords', 'planner/clusters', 'planner/ideas', 'writer/tasks', 'writer/content'].map((list) => ({
    field: 'querystring.status',
    request: (t: string) => send('GET', `/api/v1/${list}/?status=${query(t)}`),
  })),
  { field: 'querystring.token', request: (t) => stack.api('GET', `${stream}${taskId}/stream/?token=${query(t)}`) },
  ...['cancel', 'retry', 'reset'].map((action) => ({
    field: 'params.task_id',
    request: (t: string) => send('POST', `/api/v1/system/tasks/${query(t)}/${action}/`),
  })),
  { field: 'params.task_id', request: (t) => send('GET', `${stream}${query(t)}/`) },
  { field: 'params.task_id', request: (t) => send('GET', `/api/v1/system/tasks/${query(t)}/status/`) },
];

/** Text with a NUL (U+0000) somewhere in it: PostgreSQL refuses it in text and JSON columns. */
const textWithNul = fc
  .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
  .map(([before, after]) => `${before.replace(/\0/g, '')}\u0000${after}`);

describe('NUL in text', () => {
  it.each(textDoors.map((door) => [door.field, door] as const))('%s with a NUL answers 400 naming the field', async (_field, door) => {
    expectRefused(await door.request('run\u0000ning'), door.field);
  });

  it('any text field, NUL at any position: 400 naming the field, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...textDoors), textWithNul, async (door, text) => {
        expectRefused(await door.request(text), door.field);
      }),
      { numRuns: 150 },
    );
  });
});

describe('integration settings config: depth and size', () => {
  const put = (config: unknown) => putText(json(config));
  const putText = (config: string) => send('PUT', '/api/v1/system/settings/integrations/image_generation/', `{"config":${config}}`);
  /** The JSON of an object `depth` levels deep, counting the config itself (written out: too deep for JSON.stringify). */
  const nested = (depth: number): string => `${'{"inner":'.repeat(depth)}"deepest"${'}'.repeat(depth)}`;

  it('accepts a config 10 levels deep', async () => {
    expect((await putText(nested(10))).status).toBe(200);
  });

  it('answers 400 naming config for any depth past 10, thousands included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 11, max: 40 }), fc.integer({ min: 1000, max: 20_000 })), async (depth) => {
        expectRefused(await putText(nested(depth)), 'body.config');
      }),
      { numRuns: 20 },
    );
    // Arrays count as levels too.
    expectRefused(await send('PUT', '/api/v1/system/settings/integrations/openai/', `{"config":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`), 'body.config');
  });

  it('answers 400 naming config when it is larger than 16 KiB', async () => {
    expect((await put({ notes: 'x'.repeat(15_000) })).status).toBe(200);
    expectRefused(await put({ notes: 'x'.repeat(17_000) }), 'body.config');
    expectRefused(await put(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key_${i}`, i]))), 'body.config');
  });
});

describe('path parameters', () => {
  const routes: Array<[string, (value: string) => Promise<ApiAnswer>]> = [
    ['params.task_id', (v) => send('GET', `${stream}${v}/`)],
    ['params.task_id', (v) => send('GET', `/api/v1/system/tasks/${v}/status/`)],
    ['params.task_id', (v) => send('GET', `${stream}${v}/stream/`)],
    ['params.task_id', (v) => send('POST', `/api/v1/system/tasks/${v}/cancel/`)],
    ['params.task_id', (v) => send('POST', `/api/v1/system/tasks/${v}/retry/`)],
    ['params.task_id', (v) => send('POST', `/api/v1/system/tasks/${v}/reset/`)],
    ['params.id', (v) => send('GET', `/api/v1/writer/content/${v}/`)],
    ['params.prompt_type', (v) => send('DELETE', `/api/v1/system/prompts/${v}/`)],
    ['params.integration_type', (v) => send('GET', `/api/v1/system/settings/integrations/${v}/`)],
  ];

  it('over 100 characters answer 400 in the project shape naming the parameter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.integer({ min: 101, max: 4000 }), fc.constantFrom('a', '7', '-'), async ([field, request], length, char) => {
        expectRefused(await request(char.repeat(length)), field);
      }),
      { numRuns: 60 },
    );
  });

  it('a task id of 100 characters passes the door (unknown: 404)', async () => {
    const answer = await send('GET', `${stream}${'a'.repeat(100)}/`);
    expect(answer).toEqual({ status: 404, body: { success: false, error: `Task ${'a'.repeat(100)} not found.`, request_id: expect.any(String) } });
  });

  it('a malformed %-escape in the path answers 400 in the project shape', async () => {
    const answer = await send('GET', '/api/v1/planner/keywords/%E0%A4%A/');
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.body).sort()).toEqual(['error', 'request_id', 'success']);
  });
});

describe('error messages', () => {
  const frame = fc
    .tuple(fc.constantFrom('Object.openSync', 'readFile', 'Module._load', '<anonymous>'), fc.constantFrom('/work/main/api/app.ts', '/app/dist/api/server.js', 'node:internal/fs/utils', '/home/svc/node_modules/x/index.js'), fc.nat(999), fc.nat(99))
    .map(([fn, file, line, column]) => `    at ${fn} (${file}:${line}:${column})`);
  const leaky = fc
    .tuple(
      fc.constantFrom("ENOENT: no such file or directory, open '/srv/app/config/secret.json'", 'Cannot parse /usr/lib/node_modules/fastify/lib/route.js', 'Bad thing'),
      fc.array(frame, { maxLength: 4 }),
    )
    .map(([first, frames]) => [first, ...frames].join('\n'));

  it('never carry stack frames or server file paths, whatever a 4xx error holds', async () => {
    const app = await buildApp({ prisma: stack.prisma, temporal: stack.temporal, taskQueue: stack.taskQueue });
    let message = '';
    app.get('/api/v1/leaky/', { config: { public: true } }, async () => {
      throw Object.assign(new Error(message), { statusCode: 400 });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      await fc.assert(
        fc.asyncProperty(leaky, async (text) => {
          message = text;
          const answer = await fetch(`${base}/api/v1/leaky/`);
          const body = (await answer.json()) as { success: boolean; error: string };
          expect(answer.status).toBe(400);
          expect(Object.keys(body).sort()).toEqual(['error', 'request_id', 'success']);
          expect(body.error).not.toMatch(/\n|\bat .*:\d+:\d+|\/(srv|usr|app|home|work)\/|node:internal|\.[jt]s\b/);
        }),
        { numRuns: 40 },
      );
    } finally {
      await app.close();
    }
  });
});
