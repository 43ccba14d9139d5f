import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { createDataSource, ensureDatabase } from '../../src/db/data-source';
import { printAppSchema, schemaFile } from '../../src/graphql/emit-schema';
import { dropDatabase, startStack, testConfig } from '../helpers/env';

describe('platform', () => {
  it('schema.graphql matches the schema the code builds (run `npm run schema` after changing it)', async () => {
    assert.equal(await readFile(schemaFile, 'utf8'), await printAppSchema());
  });

  it('migrates an empty database up and all the way down again', async () => {
    const { databaseUrl } = testConfig();
    await ensureDatabase(databaseUrl);
    const ds: DataSource = createDataSource({ url: databaseUrl });
    await ds.initialize();
    try {
      const ran = await ds.runMigrations({ transaction: 'each' });
      assert.ok(ran.length >= 1);
      const tables = async () =>
        ((await ds.query('SHOW TABLES')) as Record<string, string>[]).map((r) => Object.values(r)[0]).sort();
      assert.deepEqual(await tables(), ['captions', 'migrations', 'renditions', 'users', 'videos', 'watch_history', 'webhook_deliveries', 'webhooks']);
      for (let i = 0; i < ran.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      assert.deepEqual(await tables(), ['migrations']);
      assert.equal(await ds.showMigrations(), true, 'pending again after going down');
    } finally {
      await ds.destroy();
      await dropDatabase(databaseUrl);
    }
  });

  it('answers /healthz, /readyz and /metrics, and GraphiQL works offline', async () => {
    const stack = await startStack();
    try {
      assert.equal((await fetch(`${stack.url}/healthz`)).status, 200);
      const ready = await fetch(`${stack.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(((await ready.json()) as { checks: object }).checks, { mysql: 'ok', redis: 'ok', storage: 'ok' });
      const metrics = await (await fetch(`${stack.url}/metrics`)).text();
      assert.match(metrics, /http_request_duration_seconds_bucket/);
      assert.match(metrics, /process_resident_memory_bytes/);

      const page = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.ok(!/https?:\/\/(?!127\.0\.0\.1)[a-z]/i.test(html.replace(/http:\/\/www\.w3\.org[^"]*/g, '')), 'no external URLs');
      for (const src of html.match(/\/graphiql-assets\/[a-z.-]+/g) ?? []) {
        const asset = await fetch(`${stack.url}${src}`);
        assert.equal(asset.status, 200, src);
        assert.ok((await asset.arrayBuffer()).byteLength > 1000, src);
      }
      // API clients still reach Apollo on the same path.
      const api = await fetch(`${stack.url}/graphql?query=%7B__typename%7D`, { headers: { 'apollo-require-preflight': '1' } });
      assert.deepEqual(await api.json(), { data: { __typename: 'Query' } });
    } finally {
      await stack.close();
    }
  });

  it('reports 503 naming the dependency that is down', async () => {
    // Redis pointed at a closed port: the API still starts, readiness says which part is missing.
    const s = await startStack({ env: { REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' } });
    try {
      const res = await fetch(`${s.url}/readyz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { status: string; checks: Record<string, string> };
      assert.equal(body.status, 'unavailable: redis');
      assert.equal(body.checks.mysql, 'ok');
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    } finally {
      await s.api.close();
      await dropDatabase(s.config.databaseUrl);
    }
  });
});
