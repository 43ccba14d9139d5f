import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, type TestStack } from '../helpers/env';
import { gql, signUp } from '../helpers/graphql';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

const MYSQL = new URL(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
const LIST = '{ myVideos: videos(first: 5) { edges { node { id } } } }';

/**
 * MySQL going away under a running API (reached through a proxy the test takes down): requests
 * answer at once with the retryable SERVICE_UNAVAILABLE, not a masked INTERNAL_SERVER_ERROR, and
 * work again by themselves once it is back.
 */
describe('GraphQL while MySQL is unreachable', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let mysql: TcpProxy;
  let token: string;

  before(async () => {
    mysql = await startTcpProxy();
    mysql.target(`http://${MYSQL.hostname}:${MYSQL.port || 3306}`);
    const via = new URL(mysql.url);
    const name = `vpt_dbout_${Math.random().toString(16).slice(2, 10)}`;
    stack = await startStack({ env: { DATABASE_URL: `mysql://${MYSQL.username || 'root'}@${via.host}/${name}` } });
    ({ token } = await signUp(stack.url));
  });
  after(async () => {
    mysql.up();
    await stack.close();
    await mysql.close();
  });

  it('answers SERVICE_UNAVAILABLE with a retry hint during the outage, then recovers', async () => {
    assert.ok((await gql(stack.url, LIST, {}, token)).data, 'works before the outage');
    mysql.down();
    try {
      const started = Date.now();
      const r = await gql(stack.url, LIST, {}, token);
      const ms = Date.now() - started;
      assert.equal(r.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE', JSON.stringify(r));
      assert.equal(typeof r.errors?.[0]?.extensions?.retryAfterSeconds, 'number');
      assert.doesNotMatch(JSON.stringify(r), /ECONN|127\.0\.0\.1|SELECT/, 'no driver details reach the client');
      assert.ok(ms < 10_000, `answered in ${ms} ms`);
      const ready = await fetch(`${stack.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { code?: string }).code, 'SERVICE_UNAVAILABLE');
    } finally {
      mysql.up();
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await gql(stack.url, LIST, {}, token);
      if (r.data) break;
      assert.ok(Date.now() < deadline, `still failing 30 s after MySQL came back: ${JSON.stringify(r.errors)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  });
});
