import OpenAI from 'openai';
import { startDemoProvider, type DemoProvider } from '../../tools/demo-provider/server';
import { clusteringPrompt } from './prompts';

let provider: DemoProvider;
let openai: OpenAI;

beforeAll(async () => {
  provider = await startDemoProvider({ quiet: true });
  openai = new OpenAI({ apiKey: 'sk-demo-test-key', baseURL: `${provider.url}/v1`, maxRetries: 0 });
});
afterEach(() => provider.reset());
afterAll(() => provider.close());

function ask(content = 'hello', client = openai) {
  return client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
}

describe('failures queued as behaviours', () => {
  it('a 429 with Retry-After surfaces as the SDK RateLimitError carrying the header', async () => {
    provider.enqueue({ status: 429, retryAfter: 3 });
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.headers.get('retry-after')).toBe('3');
    expect(rateLimit.code).toBe('rate_limit_exceeded');
  });

  it('a 500 fails the first attempt and the next one succeeds', async () => {
    provider.enqueue({ status: 500 });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask()).resolves.toMatchObject({ object: 'chat.completion' });
    expect(provider.requests().map((r) => [r.outcome, r.status])).toEqual([
      ['error', 500],
      ['answer', 200],
    ]);
  });

  it('applies a behaviour as many times as asked', async () => {
    provider.enqueue({ status: 503, times: 2 });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask()).resolves.toBeDefined();
  });

  it('uses the given error message and code', async () => {
    provider.enqueue({ status: 429, message: 'You exceeded your current quota.', code: 'insufficient_quota' });
    await expect(ask()).rejects.toMatchObject({ status: 429, code: 'insufficient_quota', message: expect.stringContaining('current quota') });
  });

  it('a malformed 200 body makes the SDK throw', async () => {
    provider.enqueue({ malformed: true });
    await expect(ask()).rejects.toThrow();
  });

  it('a malformed stream makes the SDK throw while reading', async () => {
    provider.enqueue({ malformed: true });
    // The SDK logs the unparsable event before throwing; the throw is what this test checks.
    const quiet = new OpenAI({ apiKey: 'sk-x', baseURL: `${provider.url}/v1`, maxRetries: 0, logLevel: 'off' });
    const read = async () => {
      const stream = await quiet.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
      for await (const chunk of stream) void chunk;
    };
    await expect(read()).rejects.toThrow();
  });

  it('a dropped connection surfaces as an APIConnectionError', async () => {
    provider.enqueue({ disconnect: true });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('answers after the behaviour delay', async () => {
    provider.enqueue({ delayMs: 150 });
    const started = Date.now();
    await ask();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(provider.requests()[0].delayMs).toBe(150);
  });

  it('applies a behaviour only to requests on its path whose body matches', async () => {
    provider.enqueue({ path: '/v1/chat/completions', match: '"clusters"', status: 500 });
    await expect(ask('plain question')).resolves.toBeDefined();
    await expect(openai.images.generate({ prompt: 'a "clusters" diagram' })).resolves.toBeDefined();
    await expect(ask(clusteringPrompt())).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(provider.pendingBehaviours()).toEqual([]);
  });

  it('rejects a behaviour with two effects', () => {
    expect(() => provider.enqueue({ hang: true, status: 500 })).toThrow(/at most one/);
    expect(provider.pendingBehaviours()).toEqual([]);
  });
});

describe('a hung request', () => {
  it('ends with the client timeout, and closing the provider afterwards is prompt', async () => {
    const own = await startDemoProvider({ quiet: true });
    try {
      const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${own.url}/v1`, maxRetries: 0, timeout: 300 });
      own.enqueue({ hang: true, times: 2 });
      const started = Date.now();
      // A timeout is an APIConnectionTimeoutError, a kind of APIConnectionError; inside Jest's sandbox
      // the SDK cannot recognise the abort (another realm's DOMException) and reports the parent class.
      await expect(ask('hello', client)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(own.requests()[0]).toMatchObject({ outcome: 'hang', status: null });

      // A second hung request is still open when the provider closes.
      const open = ask('hello', new OpenAI({ apiKey: 'sk-x', baseURL: `${own.url}/v1`, maxRetries: 0 })).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closing = Date.now();
      await own.close();
      expect(Date.now() - closing).toBeLessThan(1000);
      expect(await open).toBeInstanceOf(OpenAI.APIConnectionError);
    } finally {
      await own.close();
    }
  });
});
