import OpenAI from 'openai';
import { ApplicationFailure } from '@temporalio/common';
import type { TextModelSettings } from './settings/text-model';
import { assertBaseUrlAllowed, OPENAI_DEFAULT_BASE_URL } from './settings/provider-base-url';
import { configurationError, providerAnswerTooLargeError, providerRejectedError, providerUnavailableError } from './failures';
import { answerCharCap, answerTooLongMessage, ProviderAnswerTooLargeError, streamByteCap } from './provider-answer-caps';
import { providerFetch } from './provider-fetch';
import { currentProviderHosts } from './provider-host-scope';
import { ProviderHostRefusedError, type ProviderHostPolicy } from './provider-hosts';
import { providerErrorCode, redactSecrets } from './provider-redaction';

export interface CompletionAnswer {
  text: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export interface CompletionRequest {
  settings: TextModelSettings;
  prompt: string;
  /** The conversation the prompt ends, when it continues one (a corrective re-ask); else the prompt alone. */
  messages?: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** Aborts the call: activity cancellation or a worker shutting down. */
  signal?: AbortSignal;
  /** Called on every streamed piece: the caller heartbeats from here. */
  onText?: (piece: string, totalChars: number) => void;
  /** A call that receives nothing for this long is abandoned as hung (and retried by Temporal). */
  idleTimeoutMs: number;
  /** Where the call may go; the running activity's policy unless given. */
  hosts?: ProviderHostPolicy;
}

export interface OpenAIClientOptions {
  /** Bytes the answer's HTTP body may hold. */
  maxResponseBytes: number;
  /** Where the client may connect; the running activity's policy unless given. */
  hosts?: ProviderHostPolicy;
}

/**
 * One OpenAI client per call; the SDK makes a single attempt because Temporal owns retries. The
 * base URL is checked against the host policy here and again by the client's connections.
 */
export function createOpenAIClient(settings: Pick<TextModelSettings, 'apiKey' | 'baseUrl'>, options: OpenAIClientOptions): OpenAI {
  const hosts = options.hosts ?? currentProviderHosts();
  const baseURL = settings.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  assertBaseUrlAllowed('openai', baseURL, hosts, 'The OpenAI base URL');
  return new OpenAI({
    apiKey: settings.apiKey,
    baseURL,
    maxRetries: 0,
    timeout: 10 * 60 * 1000,
    fetch: providerFetch({ provider: 'openai', hosts, maxResponseBytes: options.maxResponseBytes }),
    // The SDK logs answers it cannot parse, provider text and all; failures are reported redacted instead.
    logLevel: 'off',
  });
}

/**
 * Streams a chat completion. Streaming keeps bytes flowing on long articles, so a hung provider is
 * told apart from a slow one, and lets the caller heartbeat as text arrives.
 */
export async function requestTextCompletion(request: CompletionRequest): Promise<CompletionAnswer> {
  const { settings, prompt } = request;
  const client = createOpenAIClient(settings, { maxResponseBytes: streamByteCap(settings.maxTokens), hosts: request.hosts });
  // A stream is cut once its text passes what max_tokens allows: a provider may not stream without end.
  const maxChars = answerCharCap(settings.maxTokens);
  const idle = new IdleWatch(request.idleTimeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, idle.signal]) : idle.signal;
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  let model = settings.model;
  let chunks = 0;
  try {
    const stream = await client.chat.completions.create(
      {
        model: settings.model,
        messages: request.messages ?? [{ role: 'user', content: prompt }],
        max_tokens: settings.maxTokens,
        temperature: settings.temperature,
        ...(settings.jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    idle.touch();
    for await (const chunk of stream) {
      idle.touch();
      chunks++;
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      const piece = chunk.choices?.[0]?.delta?.content ?? '';
      if (piece) {
        text += piece;
        if (text.length > maxChars) throw providerAnswerTooLargeError(answerTooLongMessage(settings.maxTokens));
        request.onText?.(piece, text.length);
      }
    }
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    if (idle.fired) throw providerUnavailableError(`The AI provider sent nothing for ${request.idleTimeoutMs / 1000} s; the call was abandoned.`);
    if (request.signal?.aborted) throw err;
    throw classifyProviderError(err, [settings.apiKey]);
  } finally {
    idle.stop();
  }
  if (chunks === 0) {
    throw providerUnavailableError('The AI provider answered with something that is not a completion (the HTTP body was not JSON).');
  }
  return {
    text,
    model,
    inputTokens: usage?.prompt_tokens ?? estimateTokens(prompt),
    outputTokens: usage?.completion_tokens ?? estimateTokens(text),
  };
}

/**
 * Transient faults (429, 5xx, timeouts, resets, bodies that are not JSON) are retried by Temporal,
 * a 429 no sooner than its Retry-After; other 4xx answers will not change on retry. Messages name
 * the status and the provider's error code, never the provider's own text (which may echo the key);
 * what text remains, a network error's, is redacted of `keys` and anything key-like.
 */
export function classifyProviderError(err: unknown, keys: readonly (string | undefined)[] = []): ApplicationFailure {
  const guarded = guardFailureOf(err);
  if (guarded) return guarded;
  if (err instanceof OpenAI.APIConnectionError) {
    return providerUnavailableError(`The AI provider could not be reached: ${redactSecrets(networkReason(err), keys)}`);
  }
  if (err instanceof OpenAI.APIError) {
    const code = providerErrorCode(err.code, keys);
    const withCode = code ? ` with error code '${code}'` : '';
    const status = err.status;
    // Without a status, the error came as an event inside a stream that had started well.
    if (typeof status !== 'number') return providerUnavailableError(`The AI provider reported an error in its answer${withCode}.`);
    if (status >= 300 && status < 400) {
      return providerRejectedError(`The AI provider answered with a redirect (${status}); provider calls do not follow redirects, so the base URL must name the API itself.`);
    }
    if (status === 429) return providerUnavailableError(`The AI provider is rate limiting (429)${withCode}.`, retryAfterMs(err.headers));
    if (status >= 500 || status === 408 || status === 409) return providerUnavailableError(`The AI provider failed (${status})${withCode}.`);
    return providerRejectedError(`The AI provider rejected the request (${status})${withCode}.`);
  }
  if (err instanceof SyntaxError) {
    // The parser's message quotes the body, so it is left out.
    return providerUnavailableError("The AI provider's answer was not valid JSON.");
  }
  return providerUnavailableError(`The AI provider could not be reached: ${redactSecrets(networkReason(err), keys)}`);
}

/**
 * The failure for what the HTTP client itself refused, wherever in the error's causes it sits: a
 * host the policy refuses (configuration, final) or an answer past its cap (final).
 */
export function guardFailureOf(err: unknown): ApplicationFailure | undefined {
  for (let cause = err, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (cause instanceof ProviderHostRefusedError) return configurationError(cause.message);
    if (cause instanceof ProviderAnswerTooLargeError) return providerAnswerTooLargeError(cause.message);
  }
  return undefined;
}

/** A network error's message with its innermost cause (`fetch failed (connect ECONNREFUSED …)`). */
export function networkReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  let inner: unknown = err;
  for (let depth = 0; inner instanceof Error && inner.cause instanceof Error && depth < 5; depth++) inner = inner.cause;
  return inner !== err && inner instanceof Error && inner.message ? `${message} (${inner.message})` : message;
}

function retryAfterMs(headers: Headers | Record<string, string | null | undefined> | undefined): number | undefined {
  if (!headers) return undefined;
  const raw = headers instanceof Headers ? headers.get('retry-after') : headers['retry-after'];
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Aborts when nothing arrived for `timeoutMs`. */
class IdleWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  fired = false;

  constructor(private readonly timeoutMs: number) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error('provider idle timeout'));
    }, this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
