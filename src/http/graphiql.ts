import { existsSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request } from 'express';

// Served from node_modules so GraphiQL works with no internet (no CDN).
const assets: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
  'graphql-ws.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', type: 'text/javascript' },
};

/** Packages' "exports" hide their UMD bundles from require.resolve, so find the package folder. */
function packageFile(pkg: string, file: string): string {
  let dir = path.dirname(require.resolve(pkg));
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) !== pkg) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find package ${pkg}`);
    dir = parent;
  }
  return path.join(dir, file);
}

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>GraphiQL · Video platform</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/graphiql-assets/graphiql.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql-assets/react.js"></script>
  <script src="/graphiql-assets/react-dom.js"></script>
  <script src="/graphiql-assets/graphql-ws.js"></script>
  <script src="/graphiql-assets/graphiql.js"></script>
  <script>
    // The token saved by the web app (or pasted into the Headers tab) authenticates both transports.
    const token = localStorage.getItem('vp-token');
    const url = location.origin + '/graphql';
    const wsClient = graphqlWs.createClient({
      url: url.replace(/^http/, 'ws'),
      lazy: true,
      connectionParams: () => {
        const t = localStorage.getItem('vp-token');
        return t ? { authorization: 'Bearer ' + t } : {};
      },
    });
    const fetcher = GraphiQL.createFetcher({ url, wsClient });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultHeaders: token ? JSON.stringify({ Authorization: 'Bearer ' + token }, null, 2) : undefined,
        shouldPersistHeaders: true,
      }),
    );
  </script>
</body>
</html>`;

function wantsHtml(req: Request): boolean {
  return req.method === 'GET' && !req.query.query && req.accepts(['application/json', 'text/html']) === 'text/html';
}

/** GET /graphql from a browser shows GraphiQL; API requests fall through to Apollo. */
export function graphiqlRouter(): Router {
  const router = Router();
  router.get('/graphql', (req, res, next) => {
    if (!wantsHtml(req)) return next();
    res.type('html').set('Cache-Control', 'no-cache').send(page);
  });
  router.get('/graphiql-assets/:name', (req, res, next) => {
    const asset = assets[req.params.name];
    if (!asset) return next();
    res.type(asset.type).set('Cache-Control', 'public, max-age=3600');
    res.sendFile(packageFile(asset.pkg, asset.file));
  });
  return router;
}
