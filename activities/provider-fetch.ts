import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { TransformStream } from 'node:stream/web';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit, type Response as UndiciResponse } from 'undici';
import { ProviderAnswerTooLargeError } from './provider-answer-caps';
import { checkProviderOrigin, checkResolvedAddress, ProviderHostRefusedError, type ProviderHostPolicy, type ProviderName } from './provider-hosts';

/**
 * The HTTP client of every provider call (the OpenAI SDK's `fetch`, Runware's POST). The host
 * policy is checked again where it cannot be talked around: when a connection is opened, on the
 * host the connection goes to and on every address its name resolved to, so a redirect or a DNS
 * answer that changed since INIT (rebinding) does not reach a refused address. Redirects are not
 * followed at all; the 3xx answer is the caller's to refuse. The body is cut at its cap as it
 * streams in.
 */

/** Resolves every address of a name, as `dns.lookup` with `all: true` does; tests hand in their own. */
export type Resolver = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** `fetch` as the OpenAI SDK calls it (always with a URL string) and Runware's POST does. */
export type ProviderFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ProviderFetchOptions {
  provider: ProviderName;
  hosts: ProviderHostPolicy;
  /** Bytes the response body may hold (after decompression). */
  maxResponseBytes: number;
  /** A dispatcher of the tests' own (providerDispatcher with a fake resolver); else one per policy. */
  dispatcher?: Agent;
}

export function providerFetch(options: ProviderFetchOptions): ProviderFetch {
  const dispatcher = options.dispatcher ?? sharedDispatcher(options.provider, options.hosts);
  return async (input, init) => {
    const response = await undiciFetch(input as string | URL, { ...(init as UndiciRequestInit), dispatcher, redirect: 'manual' });
    return capBody(response, options.maxResponseBytes);
  };
}

/** A connection pool that opens connections only where `hosts` allows `provider` to go. */
export function providerDispatcher(provider: ProviderName, hosts: ProviderHostPolicy, resolve: Resolver = lookupAll): Agent {
  const connect = buildConnector({ lookup: guardedLookup(provider, hosts, resolve) } as buildConnector.BuildOptions);
  return new Agent({
    connect(options, callback) {
      const verdict = checkProviderOrigin(hosts, provider, options);
      if (!verdict.allowed) {
        callback(new ProviderHostRefusedError(provider, verdict), null);
        return;
      }
      connect(options, callback);
    },
  });
}

// One pool per policy and provider, so connections to a provider are reused across calls.
const dispatchers = new WeakMap<ProviderHostPolicy, Map<ProviderName, Agent>>();

function sharedDispatcher(provider: ProviderName, hosts: ProviderHostPolicy): Agent {
  let byProvider = dispatchers.get(hosts);
  if (!byProvider) dispatchers.set(hosts, (byProvider = new Map()));
  let dispatcher = byProvider.get(provider);
  if (!dispatcher) byProvider.set(provider, (dispatcher = providerDispatcher(provider, hosts)));
  return dispatcher;
}

/**
 * The socket's own name lookup: every address is checked before the socket connects to any, so
 * what is checked is what is connected to. (An IP literal skips lookup; the connector checked it.)
 */
function guardedLookup(provider: ProviderName, hosts: ProviderHostPolicy, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      for (const { address } of addresses) {
        const verdict = checkResolvedAddress(hosts, hostname, address);
        if (!verdict.allowed) return callback(new ProviderHostRefusedError(provider, verdict), '');
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function lookupAll(hostname: string, options: LookupOptions, callback: Parameters<Resolver>[2]): void {
  lookup(hostname, { ...options, all: true }, callback);
}

/**
 * The response, as the platform's own Response (callers test `instanceof Headers`), with a body that
 * errors once it passes `maxBytes`; a declared larger length fails at once.
 */
function capBody(response: UndiciResponse, maxBytes: number): Response {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    response.body?.cancel().catch(() => undefined);
    throw new ProviderAnswerTooLargeError(maxBytes);
  }
  let received = 0;
  const counted = response.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) controller.error(new ProviderAnswerTooLargeError(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response((counted ?? null) as ConstructorParameters<typeof Response>[0], {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers([...response.headers]),
  });
}
