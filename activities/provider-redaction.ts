/**
 * What of a provider's error may enter a failure message. Messages travel into workflow history,
 * worker logs, the run record and the progress answer, so a provider that echoes the account's
 * key (or any key) in its error must not carry it there: messages name the HTTP status and the
 * provider's error code, and whatever text remains is redacted before a failure is created.
 */

const REDACTED = '[redacted]';
// Shorter "keys" are test placeholders; replacing them would shred the message instead.
const MIN_KEY_LENGTH = 6;

const SECRET_PATTERNS = [
  // OpenAI-style secret, restricted and project keys (sk-…, sk-proj-…, rk-…).
  /\b(?:sk|rk|pk)[-_][A-Za-z0-9_-]{8,}/g,
  /\bBearer\s+[^\s"',;]+/gi,
];
// A long run of token characters mixing letters and digits is a credential, not prose or a code.
const LONG_TOKEN = /[A-Za-z0-9_+/=-]{32,}/g;

// Provider error codes are short identifiers (invalid_api_key, rateLimitExceeded).
const ERROR_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** `text` without the configured keys, `sk-…` keys, bearer credentials or long key-like tokens. */
export function redactSecrets(text: string, keys: readonly (string | undefined)[] = []): string {
  let redacted = text;
  for (const key of keys) {
    if (key && key.length >= MIN_KEY_LENGTH) redacted = redacted.split(key).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) redacted = redacted.replace(pattern, REDACTED);
  return redacted.replace(LONG_TOKEN, (token) => (/[0-9]/.test(token) && /[A-Za-z]/.test(token) ? REDACTED : token));
}

/** The provider's error code when it looks like one and holds nothing secret; else undefined. */
export function providerErrorCode(code: unknown, keys: readonly (string | undefined)[] = []): string | undefined {
  if (typeof code !== 'string' || !ERROR_CODE.test(code)) return undefined;
  return redactSecrets(code, keys) === code ? code : undefined;
}
