import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { SendError, WebhookSender } from '../../src/webhooks/webhook-sender';
import { WebhookTarget, type Resolver } from '../../src/webhooks/webhook-target';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

// A name that exists in no DNS: only the resolver below knows it, so a request that reaches the
// local server proves the socket went to the address the resolver returned (and the policy checked).
const REBIND_HOST = 'rebind.webhooks.test';
const toLoopback: Resolver = async (host) => {
  if (host !== REBIND_HOST) throw Object.assign(new Error('unknown'), { code: 'ENOTFOUND' });
  return [{ address: '127.0.0.1', family: 4 }];
};

describe('webhook sender: pinned addresses, no redirects, short timeouts', () => {
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
  });
  after(() => rx.close());

  it('connects to the address that was resolved and checked, keeping the name for the Host header', async () => {
    const sender = new WebhookSender(new WebhookTarget(true, toLoopback), 2000);
    const res = await sender.send(`http://${REBIND_HOST}:${rx.port}/pinned`, { 'webhook-id': 'msg_1' }, '{"a":1}');
    assert.equal(res.statusCode, 200);
    assert.ok(res.latencyMs >= 0);
    const [hit] = await rx.waitFor((r) => r.path === '/pinned');
    assert.equal(hit?.headers.host, `${REBIND_HOST}:${rx.port}`);
    assert.equal(hit?.headers['content-type'], 'application/json');
    assert.equal(hit?.body, '{"a":1}');
  });

  it('refuses, without connecting, a name that resolves to loopback when private targets are not allowed', async () => {
    const sender = new WebhookSender(new WebhookTarget(false, toLoopback), 2000);
    await assert.rejects(sender.send(`http://${REBIND_HOST}:${rx.port}/refused`, {}, '{}'), (err: unknown) => err instanceof SendError && err.refused);
    await assert.rejects(sender.send(`http://127.0.0.1:${rx.port}/refused`, {}, '{}'), (err: unknown) => err instanceof SendError && err.refused);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.received.filter((r) => r.path === '/refused').length, 0);
  });

  it('does not follow redirects', async () => {
    rx.answer('/moved', () => ({ status: 302, headers: { location: rx.url('/target') } }));
    const sender = new WebhookSender(new WebhookTarget(true), 2000);
    assert.equal((await sender.send(rx.url('/moved'), {}, '{}')).statusCode, 302);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.received.filter((r) => r.path === '/target').length, 0);
  });

  it('gives up on an endpoint that does not answer within the timeout', async () => {
    rx.answer('/slow', () => 'hang');
    const sender = new WebhookSender(new WebhookTarget(true), 300);
    const started = Date.now();
    await assert.rejects(sender.send(rx.url('/slow'), {}, '{}'), (err: unknown) => err instanceof SendError && /timed out/.test(err.message) && !err.refused);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('speaks TLS to the pinned address with SNI and certificate checks for the URL\'s name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vp-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${REBIND_HOST}`]);
    const names: string[] = [];
    const context = tls.createSecureContext({ key: await readFile(key), cert: await readFile(cert) });
    const server = https.createServer({ SNICallback: (name, cb) => (names.push(name), cb(null, context)) }, (_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const sender = new WebhookSender(new WebhookTarget(true, toLoopback), 2000);
      const port = (server.address() as AddressInfo).port;
      // A self-signed certificate is refused: TLS verification stays on although the socket was pinned.
      await assert.rejects(sender.send(`https://${REBIND_HOST}:${port}/tls`, {}, '{}'), (err: unknown) => err instanceof SendError && err.message === 'DEPTH_ZERO_SELF_SIGNED_CERT');
      assert.deepEqual(names, [REBIND_HOST], 'the handshake reached the pinned address, naming the URL\'s host');
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a closed port as a connection error', async () => {
    const sender = new WebhookSender(new WebhookTarget(true), 2000);
    await assert.rejects(sender.send('http://127.0.0.1:1/', {}, '{}'), (err: unknown) => err instanceof SendError && err.message === 'ECONNREFUSED');
  });
});
