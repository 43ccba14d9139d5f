/** Error codes of the public contract (API.md); every client-visible failure carries one. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA'
  | 'RATE_LIMITED'
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
