/**
 * Secrets in integration settings: what counts as one, how it is shown (masked), and how a masked
 * value sent back by a frontend is told apart from a new one. Settings are free-form JSON, so
 * secrets are recognised by their key's name at any depth, and by credentials written into URLs.
 */

const MASK = '••••';

/** Long secrets (API keys) show their last 4 characters, enough to tell which one is stored; shorter ones (passwords) show nothing. */
const TAIL_SHOWN_FROM_LENGTH = 20;

/** Key names that hold a secret wherever they appear in them, compared without case, `_` or `-`. */
const SECRET_NAME_PARTS = ['password', 'passwd', 'passphrase', 'secret', 'apikey', 'accesskey', 'privatekey', 'authorization', 'credential', 'cookie'];

/** Words that make a key a secret on their own (`token`, `refresh_token`, `auth`), but not inside other words (`max_tokens`). */
const SECRET_WORDS = new Set(['token', 'auth', 'pass', 'pwd', 'bearer']);

/** `scheme://user:password@`: the credentials part of a URL anywhere in a string (lengths bounded, so a long string is scanned in linear time). */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/?#@]{1,2048})@/gi;

/** Whether a settings key names a secret: `apiKey`, `API_KEY`, `x-api-key`, `db_password`, `accessToken`, `Authorization`, … */
export function isSecretKey(key: string): boolean {
  const compact = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (compact === 'key' || SECRET_NAME_PARTS.some((part) => compact.includes(part)) || compact.endsWith('token')) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => SECRET_WORDS.has(word));
}

/** `••••a1b2` for a long secret, `••••` for a short one. */
export function maskSecret(secret: string): string {
  return `${MASK}${secret.length >= TAIL_SHOWN_FROM_LENGTH ? secret.slice(-4) : ''}`;
}

/** The settings as shown: every secret masked, at any depth (everything under a secret key is secret). */
export function maskSecrets(value: unknown, secret = false): unknown {
  if (typeof value === 'string') return secret ? (value ? maskSecret(value) : value) : maskUrlCredentials(value);
  if (typeof value === 'number') return secret ? MASK : value;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, secret));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskSecrets(inner, secret || isSecretKey(key))]));
  }
  return value;
}

function maskUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string, credentials: string) => `${scheme}${credentials.includes(':') ? `${MASK}:${MASK}` : MASK}@`);
}

/** What `keepStoredSecrets` answers for a masked value with nothing stored to keep: leave the key out. */
export const LEAVE_OUT = Symbol('leave out');

/**
 * A value sent in a PUT, with each masked secret in it replaced by the stored value at the same
 * place, so a frontend can save the form it was shown. A masked secret with nothing stored there
 * is left out; URL credentials sent masked take the stored URL's credentials, in order.
 */
export function keepStoredSecrets(sent: unknown, stored: unknown, secret = false): unknown {
  if (typeof sent === 'string') {
    if (secret && sent.startsWith(MASK)) return stored === undefined ? LEAVE_OUT : stored;
    return hasMaskedCredentials(sent) ? withStoredCredentials(sent, stored) : sent;
  }
  if (Array.isArray(sent)) {
    const storedItems = Array.isArray(stored) ? stored : [];
    return sent.map((item, i) => keepStoredSecrets(item, storedItems[i], secret)).filter((item) => item !== LEAVE_OUT);
  }
  if (sent !== null && typeof sent === 'object') {
    const storedFields = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
    const kept = Object.entries(sent).map(([key, inner]) => [key, keepStoredSecrets(inner, storedFields[key], secret || isSecretKey(key))] as const);
    return Object.fromEntries(kept.filter(([, inner]) => inner !== LEAVE_OUT));
  }
  return sent;
}

function hasMaskedCredentials(text: string): boolean {
  return [...text.matchAll(URL_CREDENTIALS)].some(([, , credentials]) => credentials.includes(MASK));
}

function withStoredCredentials(sent: string, stored: unknown): string | typeof LEAVE_OUT {
  const storedCredentials = typeof stored === 'string' ? [...stored.matchAll(URL_CREDENTIALS)].map(([, , credentials]) => credentials) : [];
  let index = 0;
  let missing = false;
  const restored = sent.replace(URL_CREDENTIALS, (match, scheme: string, credentials: string) => {
    const original = storedCredentials[index++];
    if (!credentials.includes(MASK)) return match;
    if (original === undefined) missing = true;
    return `${scheme}${original}@`;
  });
  return missing ? LEAVE_OUT : restored;
}
