/** gRPC status codes the Temporal client reports when the server cannot answer. */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** Connection-level failures of PostgreSQL (through pg or Prisma) that a retry may fix. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const text = errorText(error);
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Can't reach database|Connection terminated|database system is (starting|shutting) up|P1001|P1017|DatabaseNotReachable|the database system is in recovery/i.test(
    text,
  );
}

/** The Temporal frontend cannot be reached (gRPC UNAVAILABLE or DEADLINE_EXCEEDED, connect errors). */
export function isTemporalUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
    if ((current as Error).name === 'ServiceError' && /UNAVAILABLE|DEADLINE|connect/i.test((current as Error).message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { message?: unknown; code?: unknown; name?: unknown };
    parts.push(String(e.name ?? ''), String(e.code ?? ''), String(e.message ?? ''));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(' ');
}
