// Calls to the API, same origin. The API key lives in sessionStorage only (gone when the tab
// closes) and travels in the Authorization header, never in a URL or a cookie.

const KEY_STORAGE = 'ai-task-service.api-key';

export const apiKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE),
  set: (key) => sessionStorage.setItem(KEY_STORAGE, key),
  forget: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** An answer the API refused: its status and the API's own message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Listeners told when the stored key stops being accepted (401), so the page can sign out. */
const unauthorizedListeners = new Set();
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

/**
 * One JSON request with the stored key (or `options.key`, for signing in). Answers the decoded
 * body; throws ApiError with the API's `error` message otherwise.
 */
export async function api(method, path, options = {}) {
  const key = options.key ?? apiKey.get();
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'The API cannot be reached. Check that it is running, then try again.');
  }
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: text };
  }
  if (!response.ok) {
    const error = new ApiError(response.status, body?.error || `The API answered ${response.status}.`);
    if (response.status === 401 && options.key === undefined) for (const listener of unauthorizedListeners) listener(error);
    throw error;
  }
  return body;
}

/** A list endpoint with `limit`/`offset` and filters, as `{count, results}`. */
export function list(path, query = {}) {
  const params = new URLSearchParams({ limit: '500', ...query });
  return api('GET', `${path}?${params}`);
}
