import OpenAI from 'openai';
import type { TextModelSettings } from './settings/text-model';
import { providerRejectedError, providerUnavailableError } from './failures';

export interface CompletionAnswer {
  text: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export interface CompletionRequest {
  settings: TextModelSettings;
  prompt: string;
  /** Aborts the call: activity cancellation or a worker shutting down. */
  signal?: AbortSignal;
  /** Called on every streamed piece: the caller heartbeats from here. */
  onText?: (piece: string, totalChars: number) => void;
  /** A call that receives nothing for this long is abandoned as hung (and retried by Temporal). */
  idleTimeoutMs: number;
}

/** One OpenAI client per settings; the SDK makes a single attempt because Temporal owns retries. */
export function createOpenAIClient(settings: Pick<TextModelSettings, 'apiKey' | 'baseUrl'>): OpenAI {
  return new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl, maxRetries: 0, timeout: 10 * 60 * 1000 });
}

/**
 * Streams a chat completion. Streaming keeps bytes flowing on long articles, so a hung provider is
 * told apart from a slow one, and lets the caller heartbeat as text arrives.
 */
export async function requestTextCompletion(request: CompletionRequest): Promise<CompletionAnswer> {
  const { settings, prompt } = request;
  const client = createOpenAIClient(settings);
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
        messages: [{ role: 'user', content: prompt }],
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
        request.onText?.(piece, text.length);
      }
    }
  } catch (err) {
    if (idle.fired) throw providerUnavailableError(`The AI provider sent nothing for ${request.idleTimeoutMs / 1000} s; the call was abandoned.`);
    if (request.signal?.aborted) throw err;
    throw classifyProviderError(err);
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
 * a 429 no sooner than its Retry-After; other 4xx answers will not change on retry.
 */
export function classifyProviderError(err: unknown): Error {
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const detail = err.message || `HTTP ${err.status}`;
    if (err.status === 429) {
      const retryAfter = retryAfterMs(err.headers);
      return providerUnavailableError(`The AI provider is rate limiting (429): ${detail}`, retryAfter);
    }
    if (err.status >= 500 || err.status === 408 || err.status === 409) {
      return providerUnavailableError(`The AI provider failed (${err.status}): ${detail}`);
    }
    return providerRejectedError(`The AI provider rejected the request (${err.status}): ${detail}`);
  }
  if (err instanceof SyntaxError) {
    return providerUnavailableError(`The AI provider's answer was not valid JSON: ${err.message}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return providerUnavailableError(`The AI provider could not be reached: ${message}`);
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
