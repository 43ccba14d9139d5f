import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router, type Request } from 'express';

/** Where `npm run build:web` writes the app (dist/web, beside dist/src). */
export const DEFAULT_WEB_ROOT = resolve(__dirname, '../../web');

// Server routes that must never be answered with the app's index.html.
const SERVER_PREFIXES = ['/graphql', '/graphiql-assets', '/videos/', '/uploads', '/healthz', '/readyz', '/metrics', '/admin'];

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Web app not built</title></head>
<body><main><h1>The web app is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm run build:web</code>) and reload this page.
The GraphQL API is up: <a href="/graphql">/graphql</a>.</p></main></body></html>`;

/** True for a browser navigation to an app route (not an API route, not a missing asset). */
export function isAppRoute(req: Pick<Request, 'method' | 'path'> & { accepts: Request['accepts'] }): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (SERVER_PREFIXES.some((p) => req.path === p.replace(/\/$/, '') || req.path.startsWith(p))) return false;
  if (/\.[A-Za-z0-9]+$/.test(req.path)) return false; // a file that is not there: a real 404
  return req.accepts(['html', 'json']) === 'html';
}

/**
 * Serves the built web app. Vite names assets by content hash, so they are immutable;
 * index.html is revalidated on every load so a deploy is picked up at once.
 */
export function webAppRouter(root = DEFAULT_WEB_ROOT): Router {
  const router = Router();
  const index = join(root, 'index.html');
  router.use(
    '/assets',
    express.static(join(root, 'assets'), { index: false, immutable: true, maxAge: '365d' }),
    // A missing hashed asset (an old page after a deploy) is a plain 404, never the app.
    (_req, res) => void res.status(404).set('Cache-Control', 'no-store').type('text').send('Not found'),
  );
  router.use(
    express.static(root, {
      index: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  router.use((req, res, next) => {
    if (!isAppRoute(req)) return next();
    // Checked per request so building the app does not need an API restart.
    if (!existsSync(index)) {
      res.status(503).type('html').set('Cache-Control', 'no-store').send(notBuilt);
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  return router;
}
