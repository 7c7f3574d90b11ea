/**
 * Domain errors with their HTTP status. Routes and services throw these; the one error handler
 * (error-handler.ts) turns them into `{ "success": false, "error": "…" }`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

/**
 * A field of the request the door refused, named as validation names fields:
 * `Invalid request body.tasks.0.title: …`, `Invalid request params.task_id: …`.
 */
export class InvalidFieldError extends BadRequestError {
  constructor(where: 'body' | 'querystring' | 'params', path: Array<string | number>, problem: string) {
    super(`Invalid request ${fieldName(where, path)}: ${problem}`);
  }
}

/** Shown segments of a field's path; a path nested deeper is cut (a body may nest thousands deep). */
const SHOWN_PATH_SEGMENTS = 12;

function fieldName(where: string, path: Array<string | number>): string {
  const segments = path.slice(0, SHOWN_PATH_SEGMENTS).map((segment) => String(segment).replace(/\0/g, '\\u0000').slice(0, 100));
  return [where, ...segments, ...(path.length > SHOWN_PATH_SEGMENTS ? ['…'] : [])].join('.');
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'Missing or invalid API key: send "Authorization: Bearer <api_key>".') {
    super(401, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message);
  }
}

/** A limit was reached (starts a minute, open streams); the message says which and what to do. */
export class TooManyRequestsError extends HttpError {
  constructor(message: string) {
    super(429, message);
  }
}

/** A dependency is down; the message names which one (database or Temporal). */
export class ServiceUnavailableError extends HttpError {
  constructor(message: string) {
    super(503, message);
  }
}
