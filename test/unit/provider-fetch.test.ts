import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { classifyProviderError, createOpenAIClient } from '../../activities/openai-client';
import { ProviderAnswerTooLargeError } from '../../activities/provider-answer-caps';
import { providerDispatcher, providerFetch, type Resolver } from '../../activities/provider-fetch';
import { ProviderHostRefusedError, providerHostPolicy } from '../../activities/provider-hosts';

/**
 * The provider HTTP client on real sockets: what it refuses is refused at connect time (after DNS,
 * for IP literals, whatever the URL said before), redirects are answers rather than hops, and a
 * body stops at its cap.
 */

interface TestServer {
  url: string;
  host: string;
  port: number;
  connections: () => number;
  requests: () => number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function serve(handler: RequestListener): Promise<TestServer> {
  let connections = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const started: TestServer = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    connections: () => connections,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
  servers.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A resolver that answers `address` for every name, and remembers the names asked. */
function resolverTo(address: string, asked: string[] = []): Resolver {
  return (hostname, _options, callback) => {
    asked.push(hostname);
    callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
  };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

function causeOf<T>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let cause = err; cause instanceof Error; cause = cause.cause) if (cause instanceof type) return cause;
  return undefined;
}

describe('the host policy holds at connect time', () => {
  it("refuses a public API's name that resolves to a loopback address, before connecting", async () => {
    const asked: string[] = [];
    const dispatcher = providerDispatcher('openai', providerHostPolicy(), resolverTo('127.0.0.1', asked));
    const post = providerFetch({ provider: 'openai', hosts: providerHostPolicy(), maxResponseBytes: 1024, dispatcher });
    const err = await failureOf(post('https://api.openai.com/v1/chat/completions', { method: 'POST', body: '{}' }));
    await dispatcher.close();

    expect(asked).toEqual(['api.openai.com']);
    expect(causeOf(err, ProviderHostRefusedError)?.message).toBe(
      "The OpenAI host 'api.openai.com' resolved to 127.0.0.1 (a loopback address), which AI calls may not reach unless the host is listed. " +
        "The operator must list 'api.openai.com' in AI_PROVIDER_ALLOWED_HOSTS to allow it.",
    );
    const failure = classifyProviderError(err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ConfigurationError', nonRetryable: true });
  });

  it('refuses a name resolving to the metadata address for Runware too', async () => {
    const dispatcher = providerDispatcher('runware', providerHostPolicy(), resolverTo('::ffff:169.254.169.254'));
    const post = providerFetch({ provider: 'runware', hosts: providerHostPolicy(), maxResponseBytes: 1024, dispatcher });
    const err = await failureOf(post('https://api.runware.ai/v1', { method: 'POST', body: '[]' }));
    await dispatcher.close();
    expect(causeOf(err, ProviderHostRefusedError)?.message).toContain("resolved to ::ffff:169.254.169.254 (a link-local address)");
  });

  it('lets a listed name resolve to a private address and connects there', async () => {
    const server = await serve((_req, res) => res.end('{"ok":true}'));
    const hosts = providerHostPolicy([`provider.test:${server.port}`]);
    const dispatcher = providerDispatcher('openai', hosts, resolverTo('127.0.0.1'));
    const post = providerFetch({ provider: 'openai', hosts, maxResponseBytes: 1024, dispatcher });
    const response = await post(`http://provider.test:${server.port}/v1`);
    expect(await response.json()).toEqual({ ok: true });
    await dispatcher.close();
  });

  it('does not connect to an IP literal the policy refuses, even when nothing checked the URL first', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    const post = providerFetch({ provider: 'openai', hosts: providerHostPolicy(), maxResponseBytes: 1024 });
    const err = await failureOf(post(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{}' }));
    expect(causeOf(err, ProviderHostRefusedError)?.message).toContain(`points at '${server.host}' (a loopback address)`);
    expect(server.connections()).toBe(0);
  });

  it('does not connect to a listed host on another port', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    const post = providerFetch({ provider: 'openai', hosts: providerHostPolicy([`127.0.0.1:${server.port + 1}`]), maxResponseBytes: 1024 });
    const err = await failureOf(post(`${server.url}/v1`));
    expect(causeOf(err, ProviderHostRefusedError)).toBeDefined();
    expect(server.connections()).toBe(0);
  });
});

describe('the answer keeps what retries need', () => {
  it("a 429's Retry-After reaches Temporal's retry, and the provider's text does not reach the message", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end(JSON.stringify({ error: { message: 'Slow down, sk-test-echoed-0123456789abcdef', type: 'requests', code: 'rate_limit_exceeded' } }));
    });
    const client = createOpenAIClient({ apiKey: 'sk-test-echoed-0123456789abcdef', baseUrl: `${server.url}/v1` }, { maxResponseBytes: 1024, hosts: providerHostPolicy([server.host]) });
    const err = await failureOf(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    const failure = classifyProviderError(err, ['sk-test-echoed-0123456789abcdef']);
    expect(failure).toMatchObject({
      type: 'ProviderUnavailable',
      nonRetryable: false,
      nextRetryDelay: 3000,
      message: "The AI provider is rate limiting (429) with error code 'rate_limit_exceeded'.",
    });
  });
});

describe('redirects are not followed', () => {
  it('answers the 3xx itself, and the place it points at is never asked', async () => {
    const elsewhere = await serve((_req, res) => res.end('{}'));
    const redirecting = await serve((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/v1/chat/completions` });
      res.end();
    });
    // Even a redirect to a listed host is an answer, not a hop.
    const hosts = providerHostPolicy([redirecting.host, elsewhere.host]);
    const response = await providerFetch({ provider: 'openai', hosts, maxResponseBytes: 1024 })(`${redirecting.url}/v1`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(307);
    expect(elsewhere.requests()).toBe(0);
  });

  it('fails an OpenAI call that is redirected, finally, naming the redirect', async () => {
    const elsewhere = await serve((_req, res) => res.end('{}'));
    const redirecting = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const hosts = providerHostPolicy([redirecting.host, elsewhere.host]);
    const client = createOpenAIClient({ apiKey: 'sk-test-redirect-0123456789', baseUrl: `${redirecting.url}/v1` }, { maxResponseBytes: 1024, hosts });
    const err = await failureOf(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    expect(classifyProviderError(err)).toMatchObject({
      type: 'ProviderRejectedError',
      nonRetryable: true,
      message: 'The AI provider answered with a redirect (302); provider calls do not follow redirects, so the base URL must name the API itself.',
    });
    expect(redirecting.requests()).toBe(1);
  });
});

describe('an answer stops at its cap', () => {
  it('errors while the body streams past the cap', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 32; i++) res.write(chunk);
      res.end();
    });
    const response = await providerFetch({ provider: 'runware', hosts: providerHostPolicy([server.host]), maxResponseBytes: 1024 * 1024 })(`${server.url}/v1`);
    const err = await failureOf(response.text());
    expect(causeOf(err, ProviderAnswerTooLargeError)?.message).toBe(
      "The AI provider's answer went past 1 MB, the most such a call may return; the call was stopped and is not retried.",
    );
  });

  it('fails at once when the declared length is past the cap', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(4 * 1024 * 1024) });
      res.write('[');
    });
    const err = await failureOf(providerFetch({ provider: 'runware', hosts: providerHostPolicy([server.host]), maxResponseBytes: 1024 * 1024 })(`${server.url}/v1`));
    expect(err).toBeInstanceOf(ProviderAnswerTooLargeError);
    expect(classifyProviderError(err)).toMatchObject({ type: 'ModelOutputError', nonRetryable: true });
  });

  it('lets an answer within its cap through whole', async () => {
    const body = JSON.stringify({ data: 'y'.repeat(500_000) });
    const server = await serve((_req, res) => res.end(body));
    const response = await providerFetch({ provider: 'runware', hosts: providerHostPolicy([server.host]), maxResponseBytes: 1024 * 1024 })(`${server.url}/v1`);
    expect(await response.text()).toBe(body);
  });
});
