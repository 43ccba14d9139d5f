/** Error codes of the public contract (API.md); every client-visible failure carries one. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** A failure the client caused or may see; its message is safe to show. Anything else is masked. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'Video'): AppError => new AppError('NOT_FOUND', `${what} not found`);
export const unauthenticated = (): AppError => new AppError('UNAUTHENTICATED', 'Sign in required');
export const forbidden = (message = 'Not allowed'): AppError => new AppError('FORBIDDEN', message);
export const badInput = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('BAD_USER_INPUT', message, details);

/** What 503 answers suggest as Retry-After: outages the platform rides out (reconnects) last seconds. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * A dependency (storage, MySQL, Redis) is unreachable: the request was fine and is worth retrying
 * shortly. Distinct from INTERNAL_SERVER_ERROR so clients know to retry, and from BAD_USER_INPUT so
 * an outage is never blamed on the client.
 */
export const serviceUnavailable = (message = 'A service the platform depends on is unavailable for a moment; retry shortly'): AppError =>
  new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS });

/** What clients are told when object storage does not answer (uploads, tus, media routes). */
export const STORAGE_UNAVAILABLE_MESSAGE = 'Storage is unavailable for a moment; retry shortly';

/** A SERVICE_UNAVAILABLE answer in the `{ status_code, body }` shape tus hooks and stores throw. */
export function tusUnavailable(message: string): { status_code: number; body: string } {
  return { status_code: 503, body: `${JSON.stringify({ code: 'SERVICE_UNAVAILABLE', message })}\n` };
}

// Socket-level failures (Node), and the MySQL driver's lost or refused connections.
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
]);
// ioredis reports an unreachable server by message only (no code).
const OUTAGE_MESSAGES = /^(Connection is closed\.?|Command timed out|Stream isn't writeable and enableOfflineQueue options is false)$|^connect ECONNREFUSED|^Can't add new command when connection is in closed state|^Reached the max retries per request limit/;

/**
 * Whether `err` (or what it wraps: `cause`, TypeORM's `driverError`, an AggregateError's `errors`)
 * is a dependency being unreachable rather than a fault of the request or of the code. Only for
 * errors raised by calls to a dependency: a client's own socket resetting looks the same.
 */
export function isOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; driverError?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && OUTAGE_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && OUTAGE_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isOutage(x, depth + 1))) return true;
  return isOutage(e.cause, depth + 1) || isOutage(e.driverError, depth + 1);
}
