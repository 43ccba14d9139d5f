import type { ServerOptions } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { HttpTimeouts } from '../config/config';

/**
 * Node's own `requestTimeout` (300 s by default) is one limit for every request, so it either cuts
 * long uploads or lets slow bodies hold connections for minutes. Here it is off, and the limits are
 * per route: headers must arrive within `headersMs` for every request (slowloris), uploads may take
 * as long as they keep sending (`uploadIdleMs` without a byte ends them), and any other request must
 * have arrived whole within `requestMs`.
 */
export function serverTimeoutOptions(t: HttpTimeouts): ServerOptions {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: 0,
    // Node checks the headers deadline on this tick: a fraction of it keeps slow clients' sockets short-lived.
    connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(t.headersMs / 4))),
  };
}

/** The upload routes: a tus PATCH, and a GraphQL multipart request (uploadVideo, setPoster). */
export function isUpload(req: Request): boolean {
  if (req.method === 'PATCH' && req.path.startsWith('/uploads/')) return true;
  return req.method === 'POST' && req.path === '/graphql' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

/** Express middleware applying the per-route limits; mount it first. */
export function requestTimeouts(t: HttpTimeouts) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isUpload(req)) {
      // No byte for uploadIdleMs: the client is gone or stuck. Only while the body is arriving:
      // once it is whole, finishing the upload (probe, hash) may take longer than that.
      req.setTimeout(t.uploadIdleMs, () => {
        if (!req.complete) req.socket.destroy();
      });
      req.once('end', () => req.socket.setTimeout(0));
      next();
      return;
    }
    const timer = setTimeout(() => {
      if (req.complete || res.writableEnded) return;
      if (!res.headersSent) res.status(408).set('Connection', 'close').type('text/plain').send('Request timeout\n');
      req.socket.destroySoon();
    }, t.requestMs);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    next();
  };
}
