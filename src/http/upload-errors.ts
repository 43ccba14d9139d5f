import type { ErrorRequestHandler } from 'express';

/**
 * graphql-upload-minimal refuses malformed multipart requests (bad `map`, missing parts, files
 * over the limit) before GraphQL runs; answer those in GraphQL's error shape with a contract code.
 */
export const multipartErrorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const status = (err as { status?: unknown }).status;
  if (res.headersSent || typeof status !== 'number' || !(err as { expose?: unknown }).expose) return next(err);
  const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT';
  const httpStatus = status === 413 ? 413 : 400;
  res.status(httpStatus).json({ errors: [{ message: (err as Error).message, extensions: { code } }] });
};
