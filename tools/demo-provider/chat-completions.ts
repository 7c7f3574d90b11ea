import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { answerContent, detectAnswerKind, type Conversation } from './answers';
import { shortHash } from './answers/text';
import { bearerToken, type Exchange, type ProviderEndpoint } from './endpoint';
import { sendJson, wait } from './http-io';
import { sendOpenAiError, sendOpenAiMalformed } from './openai-errors';

const SYSTEM_FINGERPRINT = 'fp_demo_provider';

// Only what the answer depends on is checked; other OpenAI parameters pass through untouched.
const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown().optional() })).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  response_format: z.looseObject({ type: z.string() }).nullish(),
});
type ChatRequest = z.infer<typeof chatRequestSchema>;

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/** OpenAI `POST /v1/chat/completions`, plain and streamed. */
export const chatCompletions: ProviderEndpoint = {
  sendError: sendOpenAiError,
  sendMalformed: sendOpenAiMalformed,
  async answer(exchange) {
    if (!bearerToken(exchange.req)) {
      exchange.reject(401, { message: "You didn't provide an API key. Provide it in an Authorization header (Bearer auth)." });
      return;
    }
    if (!exchange.bodyIsJson) {
      exchange.reject(400, { message: 'We could not parse the JSON body of your request.' });
      return;
    }
    const parsed = chatRequestSchema.safeParse(exchange.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      exchange.reject(400, { message: `Invalid '${issue.path.join('.')}': ${issue.message}`, param: issue.path.join('.') });
      return;
    }
    const request = parsed.data;
    const texts = request.messages.map((message) => messageText(message.content));
    // OpenAI refuses JSON mode when no message mentions JSON; the service must ask for it in the prompt.
    if (request.response_format?.type === 'json_object' && !texts.some((text) => /json/i.test(text))) {
      exchange.reject(400, {
        message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        param: 'messages',
      });
      return;
    }

    const conversation = conversationOf(request);
    const { behaviour } = exchange;
    const { kind, content } =
      behaviour?.content !== undefined
        ? { kind: detectAnswerKind(`${conversation.system}\n${conversation.user}`), content: behaviour.content }
        : answerContent(conversation, { prose: behaviour?.prose, oversizeBytes: behaviour?.oversizeBytes });
    exchange.entry.answerKind = kind;

    const promptTokens = Math.ceil(texts.reduce((sum, text) => sum + text.length, 0) / 4);
    const completionTokens = Math.ceil(content.length / 4);
    const usage: Usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    };
    const head = {
      id: `chatcmpl-${shortHash(request.model + JSON.stringify(request.messages), 29)}`,
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
    };

    if (request.stream) {
      await streamAnswer(exchange, head, content, request.stream_options?.include_usage === true ? usage : undefined);
      return;
    }
    sendJson(exchange.res, 200, {
      ...head,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
    });
  },
};

/**
 * Server-sent chunks as OpenAI sends them: a first chunk with the role, the content in pieces, a
 * chunk with the finish reason, then (with `include_usage`) a chunk with usage and no choices.
 */
async function streamAnswer(exchange: Exchange, head: object, content: string, usage: Usage | undefined): Promise<void> {
  const { res, signal } = exchange;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const usageField = usage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null) => ({
    ...head,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...usageField,
  });

  send(res, chunk({ role: 'assistant', content: '', refusal: null }, null));
  for (const piece of contentPieces(content)) {
    if (!(await wait(exchange.settings.streamChunkDelayMs, signal))) return;
    if (!send(res, chunk({ content: piece }, null))) return;
  }
  send(res, chunk({}, 'stop'));
  if (usage) send(res, { ...head, object: 'chat.completion.chunk', choices: [], usage });
  if (!res.destroyed) res.end('data: [DONE]\n\n');
}

function send(res: ServerResponse, data: object): boolean {
  if (res.destroyed) return false;
  res.write(`data: ${JSON.stringify(data)}\n\n`);
  return true;
}

/** Pieces of 40–80 characters (larger for huge answers, to keep a stream to about 2000 chunks). */
export function contentPieces(content: string): string[] {
  const pieces: string[] = [];
  const floor = Math.max(40, Math.ceil(content.length / 2000));
  for (let start = 0, n = 0; start < content.length; n++) {
    let end = Math.min(content.length, start + floor + ((n * 17) % 41));
    // Never split a surrogate pair: each piece must be valid text on its own.
    if (end < content.length && /[\uD800-\uDBFF]/.test(content[end - 1])) end += 1;
    pieces.push(content.slice(start, end));
    start = end;
  }
  return pieces;
}

function conversationOf(request: ChatRequest): Conversation {
  const system = request.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => messageText(m.content));
  // The task is the first user message; later ones (after an answer of the assistant) correct it.
  const task = request.messages.find((m) => m.role === 'user');
  return { system: system.join('\n'), user: task ? messageText(task.content) : '' };
}

/** A message's text, whether the content is a string or a list of parts. */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined))
    .filter((text): text is string => typeof text === 'string')
    .join('\n');
}
