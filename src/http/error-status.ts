import type { Response } from 'express';
import type { AppError, ErrorCode } from '../errors';

/** The HTTP status of each contract error code, for the routes outside GraphQL (tus, media). */
export const statusOf: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** `{ code, message, …details }` with the code's status, uncached; RATE_LIMITED and SERVICE_UNAVAILABLE add Retry-After. */
export function sendAppError(res: Response, err: AppError): void {
  const retry = err.details?.retryAfterSeconds;
  if ((err.code === 'RATE_LIMITED' || err.code === 'SERVICE_UNAVAILABLE') && typeof retry === 'number') res.set('Retry-After', String(retry));
  res.status(statusOf[err.code]).set('Cache-Control', 'no-store').json({ code: err.code, message: err.message, ...err.details });
}
