import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { webAppRouter } from '../../src/http/web-app.router';
import { startStack, type TestStack } from '../helpers/env';

const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('web app served by the API', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('serves index.html at / (revalidated) and hashed assets as immutable', async () => {
    const res = await fetch(`${stack.url}/`, { headers: html });
    assert.equal(res.status, 200, 'dist/web is built by `npm run build`');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const body = await res.text();
    assert.match(body, /<div id="root"><\/div>/);
    const assets = [...body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.length >= 2, 'a script and a stylesheet');
    for (const path of assets) {
      const a = await fetch(`${stack.url}${path}`);
      assert.equal(a.status, 200, path);
      assert.match(a.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);
      assert.match(a.headers.get('content-type') ?? '', path.endsWith('.css') ? /text\/css/ : /javascript/);
      await a.arrayBuffer();
    }
    const missing = await fetch(`${stack.url}/assets/index-nothere.js`);
    assert.equal(missing.status, 404);
  });

  it('answers app routes with the app, and never shadows server routes', async () => {
    for (const path of ['/upload', '/signin', '/watch/4b7f1f1e-7d41-4c8e-9d0e-0a7f5a0b2a11', '/no/such/page']) {
      const res = await fetch(`${stack.url}${path}`, { headers: html });
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /<div id="root">/, path);
    }
    const graphiql = await fetch(`${stack.url}/graphql`, { headers: html });
    assert.match(await graphiql.text(), /GraphiQL/);
    for (const path of ['/videos/4b7f1f1e-7d41-4c8e-9d0e-0a7f5a0b2a11/master.m3u8', '/uploads/abc', '/admin/queues', '/metrics', '/healthz', '/readyz', '/missing.js']) {
      const res = await fetch(`${stack.url}${path}`, { headers: html });
      assert.doesNotMatch(await res.text(), /<div id="root">/, path);
    }
    // Not navigations: API clients asking for JSON and other methods get no HTML.
    const json = await fetch(`${stack.url}/upload`, { headers: { accept: 'application/json' } });
    assert.equal(json.status, 404);
    const post = await fetch(`${stack.url}/upload`, { method: 'POST', headers: html });
    assert.equal(post.status, 404);
  });
});

describe('web app router without a build', () => {
  it('says how to build the app instead of failing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vp-noweb-'));
    const app = express().use(webAppRouter(root));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${url}/`, { headers: html });
      assert.equal(res.status, 503);
      assert.match(await res.text(), /npm run build/);
      assert.equal((await fetch(`${url}/assets/app.js`)).status, 404);
    } finally {
      server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
