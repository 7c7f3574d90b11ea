import { PHASES } from '../pipeline/phases';
import type { TaskProgress } from '../pipeline/progress';
import { taskProgressSchema } from '../pipeline/progress';
import { StreamTokens, streamPath } from '../api/live-progress/stream-token';
import { LISTEN_APPLICATION_NAME } from '../api/live-progress/event-hub';
import { EventStreamReader, type StreamItem } from './support/event-stream-reader';
import { startApiProcess, type ApiProcess } from './support/api-process';
import { startTestStack, type TestAccount, type TestStack } from './support/stack';

const KEEP_ALIVE_MS = 300;
/** STREAM_TOKEN_SECRET of every API process of the suite, as production sets it. */
const STREAM_TOKEN_SECRET = 'task-stream suite: the same secret in every API process';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack({ streamKeepAliveMs: KEEP_ALIVE_MS, streamTokenSecret: STREAM_TOKEN_SECRET });
  account = await stack.createAccount('Streamers');
  await stack.configureOpenAI(account);
});

afterAll(async () => {
  await stack?.stop();
});

const KEYWORDS = [
  { keyword: 'stream running shoes', volume: 1200, difficulty: 40, intent: 'commercial' },
  { keyword: 'stream trail shoes', volume: 900, difficulty: 35, intent: 'commercial' },
  { keyword: 'stream marathon plan', volume: 700, difficulty: 30, intent: 'informational' },
];

let runs = 0;

/** Starts a clustering run on keywords of its own; `behaviour` shapes that run's provider answer only. */
async function startClustering(behaviour?: Record<string, unknown>, owner: TestAccount = account): Promise<string> {
  const run = ++runs;
  const keywords = KEYWORDS.map((k) => ({ ...k, keyword: `${k.keyword} ${run}` }));
  if (behaviour) stack.provider.enqueue({ ...behaviour, path: '/v1/chat/completions', match: `${keywords[0].keyword} (` } as never);
  const created = await stack.api('POST', '/api/v1/planner/keywords/', { key: owner.apiKey, body: { keywords } });
  expect(created.status).toBe(200);
  const started = await stack.api('POST', '/api/v1/planner/keywords/auto_cluster/', { key: owner.apiKey, body: { ids: created.body.ids } });
  expect(started.status).toBe(200);
  return started.body.task_id;
}

async function startContent(count: number): Promise<{ taskId: string; ids: number[] }> {
  const tasks = Array.from({ length: count }, (_, i) => ({ title: `Streamed Article ${i + 1}`, description: 'Watched as it is written.', keywords: 'live, stream' }));
  const created = await stack.api('POST', '/api/v1/writer/tasks/', { key: account.apiKey, body: { tasks } });
  expect(created.status).toBe(200);
  const started = await stack.api('POST', '/api/v1/writer/tasks/auto_generate_content/', { key: account.apiKey, body: { ids: created.body.ids } });
  expect(started.status).toBe(200);
  return { taskId: started.body.task_id, ids: created.body.ids };
}

function streamUrl(taskId: string, base = stack.baseUrl): string {
  return `${base}${streamPath(taskId)}`;
}

function openWithKey(taskId: string, headers: Record<string, string> = {}, owner = account, base = stack.baseUrl) {
  return EventStreamReader.open(streamUrl(taskId, base), { authorization: `Bearer ${owner.apiKey}`, ...headers });
}

async function poll(taskId: string, owner = account) {
  return stack.api<TaskProgress & { stream_url?: string }>('GET', `/api/v1/system/settings/task_progress/${taskId}/`, { key: owner.apiKey });
}

function phaseIndex(e: StreamItem): number {
  return PHASES.indexOf((e.data as TaskProgress).meta.phase);
}

describe('an auto_cluster run streamed with the API key', () => {
  let events: StreamItem[];
  let polled: TaskProgress[];
  let final: TaskProgress;
  let reader: EventStreamReader;

  beforeAll(async () => {
    const taskId = await startClustering({ delayMs: 1500 });
    reader = await openWithKey(taskId);
    [events, polled] = await Promise.all([reader.toEnd(), stack.waitForTask(account, taskId, { intervalMs: 30 })]);
    final = (await poll(taskId)).body;
  });

  it('answers as an event stream that proxies do not buffer', () => {
    expect(reader.status).toBe(200);
    expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(reader.headers.get('cache-control')).toBe('no-cache');
    expect(reader.headers.get('x-accel-buffering')).toBe('no');
  });

  it('sends progress events through every phase in order, the percentage never going back', () => {
    const progress = events.filter((e) => e.event === 'progress');
    expect(events.map((e) => e.event)).toEqual([...progress.map(() => 'progress'), 'done']);
    const phases = progress.map(phaseIndex);
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
    expect(new Set(progress.map((e) => e.data.meta.phase))).toEqual(new Set(PHASES));
    const percentages = progress.map((e) => e.data.meta.percentage);
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b));
    // Every stored event has an id, increasing; only a PENDING answer sent on connect has none.
    const ids = progress.filter((e) => e.id !== undefined).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const e of progress.filter((p) => p.id === undefined)) expect(e.data.state).toBe('PENDING');
  });

  it('gives each progress event exactly the shape of the polling answer', () => {
    for (const e of events.filter((p) => p.event === 'progress')) expect(taskProgressSchema.parse(e.data)).toEqual(e.data);
    const running = events.filter((e) => e.event === 'progress' && e.data.state === 'PROGRESS');
    const item = running.find((e) => e.data.meta.phase === 'AI_CALL')!.data.meta;
    // current counts the items finished (none yet while the only call runs), total all of them.
    expect(item).toMatchObject({ current: 0, total: 1, current_item: expect.any(String) });
    expect(item.request_steps.at(-1)).toMatchObject({ status: 'pending', stepName: expect.stringMatching(/^AI request/) });
  });

  it('shows every answer polling saw while running, and ends with done equal to the final poll', () => {
    const streamed = events.map((e) => e.data);
    const running = polled.filter((p) => p.state === 'PROGRESS');
    expect(running.length).toBeGreaterThan(0);
    for (const answer of running) expect(streamed).toContainEqual(answer);
    expect(final.state).toBe('SUCCESS');
    expect(events.at(-1)!.data).toEqual(final);
    // The last progress event holds the finished step log the done event reports.
    const last = events.at(-2)!.data as TaskProgress;
    expect(last.meta.phase).toBe('DONE');
    expect(last.meta.request_steps).toEqual(final.meta.request_steps);
    expect(last.meta.response_steps).toEqual(final.meta.response_steps);
  });

  it('ends the response after done', () => {
    expect(reader.ended).toBe(true);
  });
});

describe('generate_content streams the article text', () => {
  it('sends text events whose pieces, joined per item, are the article the provider sent', async () => {
    stack.provider.settings({ streamChunkDelayMs: 15 });
    try {
      const { taskId, ids } = await startContent(2);
      const reader = await openWithKey(taskId);
      const events = await reader.toEnd();
      const texts = events.filter((e) => e.event === 'text');
      const firstParse = events.findIndex((e) => e.event === 'progress' && e.data.meta.phase === 'PARSE');
      expect(events.findIndex((e) => e.event === 'text')).toBeGreaterThan(0);
      expect(events.slice(firstParse).filter((e) => e.event === 'text')).toEqual([]);
      for (const id of ids) {
        const mine = texts.filter((e) => e.data.item === String(id));
        // Batched, not one event per provider chunk, and not one for the whole article either.
        expect(mine.length).toBeGreaterThan(1);
        const request = await stack.prisma.aIRequest.findUniqueOrThrow({ where: { taskId_itemKey: { taskId, itemKey: String(id) } } });
        expect(mine.map((e) => e.data.text).join('')).toBe(request.responseText);
        for (const e of mine) expect(e.data.attempt).toBe(1);
      }
      expect(events.at(-1)).toMatchObject({ event: 'done', data: { state: 'SUCCESS' } });
    } finally {
      stack.provider.settings({ streamChunkDelayMs: 0 });
    }
  });

  it('sends no text events for functions that do not write articles', async () => {
    const taskId = await startClustering();
    const events = await (await openWithKey(taskId)).toEnd();
    expect(events.filter((e) => e.event === 'text')).toEqual([]);
    expect(await stack.prisma.taskEvent.count({ where: { taskId, event: 'text' } })).toBe(0);
  });
});

describe('reconnecting with Last-Event-ID', () => {
  it('resumes after the last event seen: nothing lost, nothing repeated', async () => {
    const taskId = await startClustering({ delayMs: 1500 });
    const first = await openWithKey(taskId);
    await first.until((r) => r.events.filter((e) => e.id !== undefined).length >= 2);
    first.close();
    const seen = first.events.filter((e) => e.id !== undefined).slice(0, 2);

    const resumed = await (await openWithKey(taskId, { 'last-event-id': seen[1].id! })).toEnd();
    // After the end, a fresh connection replays everything stored.
    const whole = (await (await openWithKey(taskId)).toEnd()).filter((e) => e.id !== undefined);
    expect([...seen, ...resumed].map((e) => [e.id, e.event, e.data])).toEqual(whole.map((e) => [e.id, e.event, e.data]));
    expect(resumed.some((e) => e.event === 'progress')).toBe(true);
    expect(resumed.at(-1)!.event).toBe('done');
  });

  it('accepts lastEventId in the query, and answers 204 to a client that has seen the end', async () => {
    const taskId = await startClustering();
    const whole = await (await openWithKey(taskId)).toEnd();
    const third = whole.filter((e) => e.id !== undefined)[2];
    const rest = await (await EventStreamReader.open(`${streamUrl(taskId)}?lastEventId=${third.id}`, { authorization: `Bearer ${account.apiKey}` })).toEnd();
    expect(rest.map((e) => e.id)).toEqual(whole.slice(whole.indexOf(third) + 1).map((e) => e.id));
    // 204 is what makes an EventSource stop reconnecting.
    const after = await openWithKey(taskId, { 'last-event-id': whole.at(-1)!.id! });
    expect(after.status).toBe(204);
  });
});

describe('stream_url: a token for clients that cannot send headers', () => {
  let taskId: string;

  beforeAll(async () => {
    taskId = await startClustering({ delayMs: 1500 });
  });

  it('is in the polling answer of a running task and streams without any header', async () => {
    const answer = await poll(taskId);
    expect(answer.body.stream_url).toMatch(new RegExp(`^${streamPath(taskId)}\\?token=[\\w-]+\\.[\\w-]+$`));
    const events = await (await EventStreamReader.open(`${stack.baseUrl}${answer.body.stream_url}`)).toEnd();
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { state: 'SUCCESS' } });
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThan(1);
    // A finished task's answer is final: there is nothing left to stream.
    expect((await poll(taskId)).body.stream_url).toBeUndefined();
  });

  it('refuses altered, expired and other tasks’ tokens with 401, and no credentials at all', async () => {
    const tokens = new StreamTokens(STREAM_TOKEN_SECRET);
    const valid = tokens.issue(taskId, account.accountId);
    const altered = valid.slice(0, -2) + (valid.endsWith('AA') ? 'BB' : 'AA');
    const cases: Array<[string, string]> = [
      [`?token=${altered}`, 'not valid'],
      [`?token=${tokens.issue(taskId, account.accountId, Date.now() - 11 * 60_000)}`, 'expired'],
      [`?token=${tokens.issue('auto_cluster-a1-another', account.accountId)}`, 'another task'],
      ['', 'Authorization: Bearer'],
    ];
    for (const [query, message] of cases) {
      const reader = await EventStreamReader.open(`${streamUrl(taskId)}${query}`);
      expect(reader.status).toBe(401);
      expect(reader.items[0].data).toEqual({ success: false, error: expect.stringContaining(message), request_id: expect.any(String) });
    }
    // A token signed with another secret is refused: the signature is checked, not just the form.
    const foreign = new StreamTokens('another secret, another service').issue(taskId, account.accountId);
    expect((await EventStreamReader.open(`${streamUrl(taskId)}?token=${foreign}`)).status).toBe(401);
    const good = await EventStreamReader.open(`${streamUrl(taskId)}?token=${valid}`);
    expect(good.status).toBe(200);
    good.close();
  });

  it("answers 404 for another account's task and for unknown tasks", async () => {
    const stranger = await stack.createAccount('Stranger');
    const reader = await openWithKey(taskId, {}, stranger);
    expect(reader.status).toBe(404);
    expect(reader.items[0].data).toEqual({ success: false, error: `Task ${taskId} not found.`, request_id: expect.any(String) });
    expect((await openWithKey('auto_cluster-a1-unknown')).status).toBe(404);
    // A token bound to the task and a stranger's account does not open it either.
    const tokens = new StreamTokens(STREAM_TOKEN_SECRET);
    expect((await EventStreamReader.open(`${streamUrl(taskId)}?token=${tokens.issue(taskId, stranger.accountId)}`)).status).toBe(404);
  });
});

describe('several API processes', () => {
  let other: ApiProcess | undefined;
  let otherBase: string;

  beforeAll(async () => {
    other = await startApiProcess(stack, { STREAM_TOKEN_SECRET });
    otherBase = other.baseUrl;
  });

  afterAll(async () => {
    await other?.stop();
  });

  it('streams, from another API process, a task started through this one', async () => {
    const taskId = await startClustering({ delayMs: 1000 });
    const reader = await openWithKey(taskId, {}, account, otherBase);
    expect(reader.status).toBe(200);
    const events = await reader.toEnd();
    expect(events.filter((e) => e.event === 'progress').map((e) => e.data.meta.phase)).toEqual(expect.arrayContaining([...PHASES]));
    expect(events.at(-1)!.data).toEqual((await poll(taskId)).body);
  });

  it("accepts this process's stream_url tokens (both have the same STREAM_TOKEN_SECRET)", async () => {
    const taskId = await startClustering({ delayMs: 1000 });
    const { stream_url } = (await poll(taskId)).body;
    const events = await (await EventStreamReader.open(`${otherBase}${stream_url}`)).toEnd();
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { state: 'SUCCESS' } });
  });
});

describe('keep-alive and runs that end without a word', () => {
  it('sends keep-alive comments while nothing happens', async () => {
    const taskId = await startClustering({ delayMs: 2000 });
    const reader = await openWithKey(taskId);
    await reader.toEnd();
    const calling = reader.items.findIndex((i) => i.event === 'progress' && i.data.meta.phase === 'AI_CALL');
    const next = reader.items.findIndex((i, index) => index > calling && i.event !== undefined);
    const between = reader.items.slice(calling + 1, next);
    expect(between.length).toBeGreaterThanOrEqual(3);
    for (const item of between) expect(item.comment).toBe('keep-alive');
  });

  it('ends with a done event built from polling when the run is terminated', async () => {
    const taskId = await startClustering({ hang: true });
    const reader = await openWithKey(taskId);
    await reader.until((r) => r.events.some((e) => e.data?.meta?.phase === 'AI_CALL'));
    await stack.temporal.workflow.getHandle(taskId).terminate('stopped by an operator');
    const events = await reader.toEnd(10_000);
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { state: 'REVOKED', error: 'The run was terminated: stopped by an operator.', meta: { phase: 'AI_CALL' } },
    });
    expect(events.at(-1)!.data).toEqual((await poll(taskId)).body);
  });

  it('sends REVOKED as the done event of a cancelled run', async () => {
    const taskId = await startClustering({ hang: true });
    const reader = await openWithKey(taskId);
    await reader.until((r) => r.events.some((e) => e.data?.meta?.phase === 'AI_CALL'));
    expect((await stack.api('POST', `/api/v1/system/tasks/${taskId}/cancel/`, { key: account.apiKey })).status).toBe(200);
    const events = await reader.toEnd(20_000);
    expect(events.at(-1)).toMatchObject({ id: expect.any(String), event: 'done', data: { state: 'REVOKED' } });
  });

  it('follows a reset run past its first end, to its new one', async () => {
    const taskId = await startClustering({ status: 400, message: 'bad request' });
    const failed = await (await openWithKey(taskId)).toEnd();
    expect(failed.at(-1)).toMatchObject({ event: 'done', data: { state: 'FAILURE' } });

    stack.provider.enqueue({ delayMs: 1000, path: '/v1/chat/completions', match: `${KEYWORDS[0].keyword} ${runs} (` });
    expect((await stack.api('POST', `/api/v1/system/tasks/${taskId}/reset/`, { key: account.apiKey })).status).toBe(200);
    const events = await (await openWithKey(taskId)).toEnd();
    expect(events.filter((e) => e.event === 'done')).toHaveLength(1);
    expect(events.at(-1)!.data).toEqual((await poll(taskId)).body);
    expect(events.at(-1)!.data.state).toBe('SUCCESS');
    // After the reset, the step log is the new run's: the failed call's entry was replaced.
    const calls = (events.at(-1)!.data as TaskProgress).meta.request_steps.filter((s) => s.stepName.startsWith('AI request'));
    expect(calls).toHaveLength(1);
    expect(calls[0].status).toBe('success');
  });
});

describe('the LISTEN connection', () => {
  const listeners = () =>
    stack.prisma.$queryRaw<Array<{ pid: number }>>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${LISTEN_APPLICATION_NAME}`;

  it('comes back when the database drops it, and the stream goes on', async () => {
    const taskId = await startClustering({ delayMs: 1500 });
    const reader = await openWithKey(taskId);
    await reader.until((r) => r.events.some((e) => e.data?.meta?.phase === 'AI_CALL'));
    const before = await listeners();
    expect(before).toHaveLength(1);
    await stack.prisma.$queryRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${LISTEN_APPLICATION_NAME}`;

    const events = await reader.toEnd();
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { state: 'SUCCESS' } });
    const stored = await stack.prisma.taskEvent.findMany({ where: { taskId }, orderBy: { id: 'asc' }, select: { id: true } });
    expect(events.filter((e) => e.id !== undefined).map((e) => Number(e.id))).toEqual(stored.map((r) => r.id));
    const after = await listeners();
    expect(after).toHaveLength(1);
    expect(after[0].pid).not.toBe(before[0].pid);
  });
});

describe('history stays small', () => {
  it('a generate_content run of 10 tasks keeps every history event far below 100 KB', async () => {
    const { taskId } = await startContent(10);
    const seen = await stack.waitForTask(account, taskId, { timeoutMs: 90_000 });
    expect(seen.at(-1)!.state).toBe('SUCCESS');
    // The run publishes its `done` event after the record reads SUCCESS: its history ends a moment later.
    const handle = stack.temporal.workflow.getHandle(taskId);
    await handle.result();
    const history = await handle.fetchHistory();
    // Payload data is base64 here: decoded, each event is measured as the JSON text it holds.
    const text = (event: unknown) =>
      JSON.stringify(event, (key, value) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
    const sizes = history.events!.map((e) => text(e).length);
    // The steps are local activities: each leaves a marker, and publishes progress itself.
    const markers = history.events!.filter((e) => e.markerRecordedEventAttributes).map(text);
    expect(Math.max(...markers.map((m) => m.length))).toBeLessThan(8 * 1024);
    expect(Math.max(...sizes)).toBeLessThan(100 * 1024);
    // The progress answers are in the table, never in history: no event holds a step log.
    for (const event of history.events!.map(text)) expect(event).not.toContain('request_steps');
    // No step of its own publishes: one start step, one finishing step per item, one end.
    expect(markers.filter((m) => m.includes('publishProgress'))).toHaveLength(0);
    expect(markers.filter((m) => m.includes('finishItem'))).toHaveLength(10);
    // Rows: at most the start step's three, two per item, one per item that waited for a slot and
    // asked again, the last progress and done.
    const rows = await stack.prisma.taskEvent.count({ where: { taskId, event: { in: ['progress', 'done'] } } });
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThanOrEqual(3 + 3 * 10 + 2);
  });
});
