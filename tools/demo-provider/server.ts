import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  BehaviourQueue,
  CHAT_COMPLETIONS_PATH,
  IMAGE_GENERATIONS_PATH,
  normalisePath,
  outcomeOf,
  providerSettingsSchema,
  settingsChangeSchema,
  type Behaviour,
  type BehaviourInput,
  type PendingBehaviour,
  type ProviderSettings,
} from './behaviours';
import { chatCompletions } from './chat-completions';
import { serveControl } from './control-routes';
import type { Exchange, ProviderEndpoint } from './endpoint';
import { BodyTooLargeError, parseBody, readBody, searchableText, sendJson, untilAborted, wait } from './http-io';
import { imageFiles } from './image-files';
import { imageGenerations } from './image-generations';
import { sendOpenAiError } from './openai-errors';
import { RequestRecord, type RecordedRequest } from './request-record';
import { runwareTasks } from './runware';

export interface DemoProviderOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** No per-request log lines on stderr. */
  quiet?: boolean;
  /** Base of the image URLs handed out, when clients reach the provider by another address (docker). */
  publicUrl?: string;
  /** Settings that `reset()` returns to. */
  defaultDelayMs?: number;
  streamChunkDelayMs?: number;
}

/** The bundled OpenAI- and Runware-compatible provider: the demo's AI and the tests' fake. */
export interface DemoProvider {
  /** e.g. `http://127.0.0.1:8089`; the OpenAI SDK's baseURL is `${url}/v1`. */
  url: string;
  port: number;
  /** Queues one-shot behaviours for the next matching requests; returns them as validated. */
  enqueue(behaviour: BehaviourInput | BehaviourInput[]): Behaviour[];
  pendingBehaviours(): PendingBehaviour[];
  /** Every provider request received, oldest first. */
  requests(filter?: { path?: string }): RecordedRequest[];
  /** Clears queued behaviours and the record, and restores the starting settings. */
  reset(): void;
  /** From now on, answers wait (after any delay) until `release()`: requests in flight, held on purpose. */
  hold(): void;
  /** Lets every held answer go, and stops holding. */
  release(): void;
  /** How many requests are waiting for `release()`. */
  held(): number;
  /** Changes some settings; returns them all. */
  settings(change?: Partial<ProviderSettings>): ProviderSettings;
  /** Stops at once, dropping open and hung requests. */
  close(): Promise<void>;
}

function endpointFor(method: string, path: string): ProviderEndpoint | undefined {
  if (method === 'POST' && path === CHAT_COMPLETIONS_PATH) return chatCompletions;
  if (method === 'POST' && path === IMAGE_GENERATIONS_PATH) return imageGenerations;
  if (method === 'POST' && (path === '/v1' || path === '/')) return runwareTasks;
  if ((method === 'GET' || method === 'HEAD') && path.startsWith('/images/')) return imageFiles;
  return undefined;
}

export async function startDemoProvider(options: DemoProviderOptions = {}): Promise<DemoProvider> {
  const host = options.host ?? '127.0.0.1';
  const startingSettings = providerSettingsSchema.parse({
    defaultDelayMs: options.defaultDelayMs ?? 0,
    streamChunkDelayMs: options.streamChunkDelayMs ?? 0,
  });
  let settings: ProviderSettings = { ...startingSettings };
  const queue = new BehaviourQueue();
  const record = new RequestRecord();
  // Aborting this wakes every delay, stream and hung request when the provider closes.
  const closing = new AbortController();
  const sockets = new Set<Socket>();
  let gate: { opened: Promise<void>; open: () => void } | undefined;
  let heldCount = 0;
  const log = (line: string) => {
    if (!options.quiet) process.stderr.write(`[demo-provider] ${line}\n`);
  };

  const provider: Omit<DemoProvider, 'url' | 'port' | 'close'> = {
    enqueue: (behaviour) => queue.enqueue(behaviour),
    pendingBehaviours: () => queue.list(),
    requests: (filter) => record.list(filter),
    hold() {
      if (gate) return;
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      gate = { opened, open };
    },
    release() {
      gate?.open();
      gate = undefined;
    },
    held: () => heldCount,
    reset() {
      provider.release();
      queue.clear();
      record.clear();
      settings = { ...startingSettings };
    },
    settings(change = {}) {
      settings = { ...settings, ...settingsChangeSchema.parse(change) };
      return { ...settings };
    },
  };

  async function serveProviderRequest(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const body = parseBody(raw);
    const entry = record.open({ method, path, query: url.search, headers: req.headers, body: body.value });
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.durationMs = Date.now() - entry.at;
      log(`${method} ${path} ${res.statusCode} ${entry.outcome}${entry.answerKind ? ` (${entry.answerKind})` : ''} ${entry.durationMs}ms`);
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      entry.durationMs = Date.now() - entry.at;
      log(`${method} ${path} dropped (${entry.outcome}) after ${entry.durationMs}ms`);
    });

    const endpoint = endpointFor(method, path);
    if (!endpoint) {
      entry.outcome = 'not_found';
      sendOpenAiError(res, 404, { message: `Invalid URL (${method} ${path})`, code: 'unknown_url' });
      return;
    }

    const behaviour = queue.take({ path, searchableText: searchableText(raw, body.value) });
    entry.behaviour = behaviour ?? null;
    entry.outcome = outcomeOf(behaviour);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const signal = AbortSignal.any([closing.signal, gone.signal]);

    entry.delayMs = behaviour?.delayMs ?? settings.defaultDelayMs;
    if (!(await wait(entry.delayMs, signal))) return;
    if (gate) {
      heldCount++;
      const released = await Promise.race([gate.opened.then(() => true), untilAborted(signal).then(() => false)]);
      heldCount--;
      if (!released) return;
    }

    if (behaviour?.hang) {
      await untilAborted(signal);
      res.destroy();
      return;
    }
    if (behaviour?.disconnect) {
      res.destroy();
      return;
    }
    if (behaviour?.status !== undefined) {
      endpoint.sendError(res, behaviour.status, { retryAfter: behaviour.retryAfter, message: behaviour.message, code: behaviour.code });
      return;
    }
    const exchange: Exchange = {
      req,
      res,
      body: body.value,
      bodyIsJson: body.json,
      entry,
      behaviour,
      settings: { ...settings },
      signal,
      publicBaseUrl: options.publicUrl?.replace(/\/+$/, '') ?? (req.headers.host ? `http://${req.headers.host}` : baseUrl),
      reject(status, detail) {
        entry.outcome = 'rejected';
        endpoint.sendError(res, status, detail);
      },
    };
    if (behaviour?.malformed) {
      endpoint.sendMalformed(exchange);
      return;
    }
    await endpoint.answer(exchange);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo-provider');
    const path = normalisePath(url.pathname);
    if (path === '/health') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/_control' || path.startsWith('/_control/')) {
      await serveControl(req, res, url, provider);
      return;
    }
    await serveProviderRequest(req, res, url, path);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        sendOpenAiError(res, 413, { message: error.message });
        return;
      }
      // A fault in the provider itself: say so loudly, whatever `quiet` says.
      process.stderr.write(`[demo-provider] ${req.method} ${req.url} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!res.headersSent) sendOpenAiError(res, 500, { message: 'The demo provider failed to answer; see its log.' });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${urlHost(host)}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    ...provider,
    url: baseUrl,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

// A wildcard bind is reached locally through the loopback address; IPv6 literals need brackets.
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
