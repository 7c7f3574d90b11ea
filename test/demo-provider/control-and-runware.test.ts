import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { startDemoProvider, type DemoProvider } from '../../tools/demo-provider/server';
import type { RecordedRequest } from '../../tools/demo-provider/request-record';

let provider: DemoProvider;

beforeAll(async () => {
  provider = await startDemoProvider({ quiet: true });
});
afterEach(() => provider.reset());
afterAll(() => provider.close());

async function control(path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${provider.url}/_control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

function runware(tasks: unknown, headers: Record<string, string> = {}) {
  return fetch(`${provider.url}/v1`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(tasks) });
}

const inference = {
  taskType: 'imageInference',
  taskUUID: '6f1c2a8e-3b1d-4c5e-9f7a-2b3c4d5e6f70',
  positivePrompt: 'A glass of cold brew on a wooden table',
  negativePrompt: 'text, watermark',
  model: 'runware:100@1',
  width: 1024,
  height: 1024,
  outputFormat: 'WEBP',
  includeCost: true,
  numberResults: 2,
};

describe('control over HTTP', () => {
  it('queues behaviours posted by another process and reports the attempts', async () => {
    const queued = await control('behaviours', [{ status: 500 }, { status: 429, retryAfter: 1, path: '/v1/chat/completions' }]);
    expect(queued).toMatchObject({ status: 200, json: { pending: 2 } });

    const openai = new OpenAI({ apiKey: 'sk-other-process', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    const ask = () => openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(ask()).resolves.toBeDefined();

    const { json: requests } = await control('requests?path=/v1/chat/completions');
    expect((requests as RecordedRequest[]).map((r) => [r.seq, r.outcome, r.status])).toEqual([
      [1, 'error', 500],
      [2, 'error', 429],
      [3, 'answer', 200],
    ]);
    expect(requests[0].body.messages[0].content).toBe('hi');
  });

  it('refuses an invalid behaviour and queues nothing', async () => {
    const refused = await control('behaviours', { retryAfter: 3 });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatch(/go with a status/);
    expect((await control('behaviours')).json).toEqual([]);
  });

  it('changes settings, and reset restores them and clears the record', async () => {
    expect((await control('settings', { defaultDelayMs: 120 })).json).toEqual({ defaultDelayMs: 120, streamChunkDelayMs: 0 });
    const started = Date.now();
    await fetch(`${provider.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{"model":"m","messages":[{"role":"user","content":"x"}]}' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);

    expect((await control('reset', {})).json).toEqual({ reset: true });
    expect((await control('settings')).json).toEqual({ defaultDelayMs: 0, streamChunkDelayMs: 0 });
    expect((await control('requests')).json).toEqual([]);
  });

  it('answers the health check without recording it', async () => {
    expect((await fetch(`${provider.url}/health`)).status).toBe(200);
    expect(provider.requests()).toEqual([]);
  });
});

describe('the request record', () => {
  it('keeps provider keys out, with a fingerprint to tell them apart', async () => {
    const key = 'sk-very-secret-key';
    const openai = new OpenAI({ apiKey: key, baseURL: `${provider.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await runware([{ taskType: 'authentication', apiKey: 'rw-secret-key' }, inference]);

    const [chat, images] = provider.requests();
    expect(chat.headers.authorization).toBe('Bearer ***');
    expect(chat.apiKey).toEqual({ present: true, fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 12) });
    expect((images.body as Array<{ apiKey?: string }>)[0].apiKey).toBe('***');
    expect(images.apiKey.present).toBe(true);
    const everything = JSON.stringify(provider.requests());
    expect(everything).not.toContain(key);
    expect(everything).not.toContain('rw-secret-key');
  });

  it('records requests to unknown paths as not found', async () => {
    const response = await fetch(`${provider.url}/v1/completions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(provider.requests()[0]).toMatchObject({ path: '/v1/completions', outcome: 'not_found', status: 404 });
  });
});

describe("Runware's task API", () => {
  it('answers image inference with one image per result, served at its URL', async () => {
    const response = await runware([{ taskType: 'authentication', apiKey: 'rw-key' }, inference]);
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Array<Record<string, unknown>> };
    expect(data).toHaveLength(2);
    expect(data[0]).toEqual({
      taskType: 'imageInference',
      taskUUID: inference.taskUUID,
      imageUUID: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      imageURL: expect.stringMatching(new RegExp(`^${provider.url}/images/.+\\.webp$`)),
      cost: expect.any(Number),
    });
    expect(data[0].imageUUID).not.toBe(data[1].imageUUID);

    const again = (await (await runware([{ taskType: 'authentication', apiKey: 'rw-key' }, inference])).json()) as { data: typeof data };
    expect(again.data.map((d) => d.imageURL)).toEqual(data.map((d) => d.imageURL));

    const image = await fetch(String(data[0].imageURL));
    expect(image.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.from(await image.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
  });

  it('also listens at the root path', async () => {
    const response = await fetch(`${provider.url}/`, { method: 'POST', body: JSON.stringify([{ taskType: 'authentication', apiKey: 'k' }, { ...inference, numberResults: 1 }]) });
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(1);
  });

  it('refuses a missing or empty API key with invalidApiKey and 401', async () => {
    for (const tasks of [[{ taskType: 'authentication', apiKey: '' }, inference], [inference]]) {
      const response = await runware(tasks);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ errors: [expect.objectContaining({ code: 'invalidApiKey', message: expect.any(String) })] });
    }
  });

  it('names the parameter at fault', async () => {
    const response = await runware([{ taskType: 'authentication', apiKey: 'k' }, { ...inference, width: 1000 }]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [expect.objectContaining({ code: 'invalidWidth', parameter: 'width', taskUUID: inference.taskUUID })],
    });
  });

  it('fails in its own error shape when a behaviour says so', async () => {
    provider.enqueue({ path: '/v1', status: 429, retryAfter: 2 });
    const response = await runware([{ taskType: 'authentication', apiKey: 'k' }, inference]);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ errors: [expect.objectContaining({ code: 'rateLimitExceeded' })] });
  });
});

describe('holding answers', () => {
  it('keeps requests waiting until release, counting them, then answers every one', async () => {
    const openai = new OpenAI({ apiKey: 'sk-hold', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    provider.hold();
    let answered = 0;
    const asks = [1, 2, 3].map(() => openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).then((a) => (answered++, a)));
    const deadline = Date.now() + 5000;
    while (provider.held() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(provider.held()).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(0);

    provider.release();
    const answers = await Promise.all(asks);
    expect(answers.map((a) => a.choices[0].message.role)).toEqual(['assistant', 'assistant', 'assistant']);
    expect(provider.held()).toBe(0);
  });

  it('stops holding on reset, and a held request the client drops is no longer counted', async () => {
    provider.hold();
    const controller = new AbortController();
    const dropped = fetch(`${provider.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    }).catch((err: Error) => err.name);
    const deadline = Date.now() + 5000;
    while (provider.held() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect(await dropped).toBe('AbortError');
    while (provider.held() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(provider.held()).toBe(0);

    provider.reset();
    const openai = new OpenAI({ apiKey: 'sk-hold', baseURL: `${provider.url}/v1`, maxRetries: 0 });
    await expect(openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).resolves.toBeDefined();
  });
});
