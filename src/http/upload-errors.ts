import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { graphqlUploadExpress, processRequest, type UploadOptions } from 'graphql-upload-minimal';

/**
 * graphql-upload-minimal listens for its parser's first error only (`once`); on a malformed body
 * busboy then emits a second one ("Unexpected end of form") that nobody handles, which would be an
 * uncaught exception taking the whole process down. The request has already failed by then, so
 * later parser errors are dropped here.
 */
function processRequestGuarded(req: IncomingMessage, res: ServerResponse, opts?: UploadOptions) {
  const pipe = req.pipe.bind(req);
  req.pipe = (<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T => {
    (dest as unknown as Writable).on('error', () => undefined);
    return pipe(dest, options);
  }) as typeof req.pipe;
  return processRequest(req, res, opts);
}

/** The multipart middleware for /graphql, with the guard above. */
export function graphqlUploads(opts: UploadOptions): RequestHandler {
  return graphqlUploadExpress({ ...opts, processRequest: processRequestGuarded } as UploadOptions);
}

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
