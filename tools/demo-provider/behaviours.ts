import { z } from 'zod';

/** Paths of the provider APIs the demo provider speaks. */
export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';
export const IMAGE_GENERATIONS_PATH = '/v1/images/generations';

// A behaviour does at most one of these; `delayMs` can come before any of them.
const EFFECTS = ['hang', 'status', 'malformed', 'disconnect', 'prose', 'content', 'oversizeBytes'] as const;
// These shape a chat completion's message, so without a `path` they wait for the next chat request.
const MESSAGE_EFFECTS = ['prose', 'content', 'oversizeBytes'] as const;

/**
 * A one-shot behaviour for the next matching request(s). Tests queue these to shape a request:
 * slow it, hang it, fail it with a status, break its body, or change what the model "says".
 */
export const behaviourSchema = z
  .strictObject({
    /** Only requests to this path (e.g. '/v1/chat/completions', '/v1' for Runware). */
    path: z.string().startsWith('/').optional(),
    /** Only requests whose body contains this text (raw, or in any decoded string, e.g. a prompt). */
    match: z.string().min(1).optional(),
    /** How many requests it applies to. */
    times: z.number().int().positive().default(1),
    /** Answer after this delay (replaces the default delay). */
    delayMs: z.number().int().nonnegative().optional(),
    /** Never answer: the request stays open until the client gives up or the provider closes. */
    hang: z.literal(true).optional(),
    /** Answer with this error status and the provider's error body. */
    status: z.number().int().min(400).max(599).optional(),
    /** With `status`: the Retry-After header, in seconds. */
    retryAfter: z.number().nonnegative().optional(),
    /** With `status`: the error message and code in the body, instead of the provider's usual ones. */
    message: z.string().optional(),
    code: z.string().optional(),
    /** HTTP 200 whose body is not JSON at all (an HTML error page from a gateway). */
    malformed: z.literal(true).optional(),
    /** Drop the connection without any answer (a connection reset). */
    disconnect: z.literal(true).optional(),
    /** A normal answer whose message content is prose instead of the JSON asked for. */
    prose: z.literal(true).optional(),
    /** A normal answer with exactly this message content. */
    content: z.string().optional(),
    /** A normal answer whose article `content` is about this many bytes of valid HTML. */
    oversizeBytes: z.number().int().positive().optional(),
  })
  .refine((b) => EFFECTS.filter((effect) => b[effect] !== undefined).length <= 1, {
    message: `a behaviour has at most one of: ${EFFECTS.join(', ')}`,
  })
  .refine((b) => b.status !== undefined || (b.retryAfter === undefined && b.message === undefined && b.code === undefined), {
    message: 'retryAfter, message and code go with a status',
  });

export type Behaviour = z.output<typeof behaviourSchema>;
export type BehaviourInput = z.input<typeof behaviourSchema>;

/** What a request ended as, in the request record. */
export type Outcome =
  | 'answer'
  | 'hang'
  | 'error'
  | 'malformed'
  | 'disconnect'
  | 'prose'
  | 'content'
  | 'oversize'
  | 'rejected'
  | 'not_found';

export function outcomeOf(behaviour: Behaviour | undefined): Outcome {
  if (!behaviour) return 'answer';
  if (behaviour.hang) return 'hang';
  if (behaviour.status !== undefined) return 'error';
  if (behaviour.malformed) return 'malformed';
  if (behaviour.disconnect) return 'disconnect';
  if (behaviour.prose) return 'prose';
  if (behaviour.content !== undefined) return 'content';
  if (behaviour.oversizeBytes !== undefined) return 'oversize';
  return 'answer';
}

export const providerSettingsSchema = z.strictObject({
  /** Delay before every answer that no behaviour gives a delay. */
  defaultDelayMs: z.number().int().nonnegative(),
  /** Pause between the chunks of a streamed answer. */
  streamChunkDelayMs: z.number().int().nonnegative(),
});
export type ProviderSettings = z.infer<typeof providerSettingsSchema>;
export const settingsChangeSchema = providerSettingsSchema.partial();

/** A request as the queue sees it. */
export interface RequestToMatch {
  path: string;
  /** The raw body and every string inside it, so `match` finds prompt text despite JSON escaping. */
  searchableText: string;
}

export interface PendingBehaviour {
  behaviour: Behaviour;
  remaining: number;
}

/** First in, first out: each request takes the oldest queued behaviour whose filters it passes. */
export class BehaviourQueue {
  private pending: PendingBehaviour[] = [];

  /** Validates all before queuing any, so a bad entry in a list leaves the queue unchanged. */
  enqueue(input: BehaviourInput | BehaviourInput[]): Behaviour[] {
    const behaviours = (Array.isArray(input) ? input : [input]).map((item) => behaviourSchema.parse(item));
    this.pending.push(...behaviours.map((behaviour) => ({ behaviour, remaining: behaviour.times })));
    return behaviours;
  }

  take(request: RequestToMatch): Behaviour | undefined {
    const index = this.pending.findIndex((entry) => matches(entry.behaviour, request));
    if (index < 0) return undefined;
    const entry = this.pending[index];
    entry.remaining -= 1;
    if (entry.remaining === 0) this.pending.splice(index, 1);
    return entry.behaviour;
  }

  list(): PendingBehaviour[] {
    return this.pending.map((entry) => ({ behaviour: { ...entry.behaviour }, remaining: entry.remaining }));
  }

  clear(): void {
    this.pending = [];
  }
}

function matches(behaviour: Behaviour, request: RequestToMatch): boolean {
  const path = normalisePath(request.path);
  if (behaviour.path !== undefined) {
    if (normalisePath(behaviour.path) !== path) return false;
  } else if (MESSAGE_EFFECTS.some((effect) => behaviour[effect] !== undefined) && path !== CHAT_COMPLETIONS_PATH) {
    return false;
  }
  return behaviour.match === undefined || request.searchableText.includes(behaviour.match);
}

export function normalisePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
