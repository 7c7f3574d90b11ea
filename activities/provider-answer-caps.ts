/**
 * How much a provider call may return. A provider (or whatever a base URL points at) could
 * otherwise stream without end into the worker's memory, the database and the live progress.
 */

/** Characters of answer text allowed per `max_tokens`: a token averages ~4 characters. */
export const ANSWER_CHARS_PER_TOKEN = 8;
/** No text answer is longer than this, whatever `max_tokens` says. */
export const MAX_ANSWER_CHARS = 4 * 1024 * 1024;
/** A Runware answer is JSON holding image URLs. */
export const MAX_IMAGE_JSON_BYTES = 1024 * 1024;
/** An OpenAI image answer may carry the image itself, base64 in its JSON. */
export const MAX_IMAGE_DATA_BYTES = 20 * 1024 * 1024;

// The raw stream also carries the framing around every piece of text (~250 bytes a chunk); this
// bounds chunks that carry no text, or a line that never ends, which the text count cannot see.
const STREAM_BYTES_PER_TOKEN = 1024;
const STREAM_BASE_BYTES = 1024 * 1024;
const MAX_STREAM_BYTES = 64 * 1024 * 1024;

/** The most text a completion with this `max_tokens` may stream. */
export function answerCharCap(maxTokens: number): number {
  return Math.min(maxTokens * ANSWER_CHARS_PER_TOKEN, MAX_ANSWER_CHARS);
}

/** The most bytes a completion stream with this `max_tokens` may take, framing included. */
export function streamByteCap(maxTokens: number): number {
  return Math.min(STREAM_BASE_BYTES + maxTokens * STREAM_BYTES_PER_TOKEN, MAX_STREAM_BYTES);
}

/** A response body went past its cap; the HTTP client raises it while the body is read. */
export class ProviderAnswerTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The AI provider's answer went past ${formatBytes(limitBytes)}, the most such a call may return; the call was stopped and is not retried.`);
    this.name = 'ProviderAnswerTooLargeError';
  }
}

export function answerTooLongMessage(maxTokens: number): string {
  const cap = answerCharCap(maxTokens);
  const why = cap === MAX_ANSWER_CHARS ? `the most any answer may hold` : `${ANSWER_CHARS_PER_TOKEN} characters a token for max_tokens ${maxTokens}`;
  return `The AI provider's answer went past ${cap} characters (${why}); the call was stopped and is not retried.`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${bytes} bytes`;
}
