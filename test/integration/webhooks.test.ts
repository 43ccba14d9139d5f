import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { WebhookDeliveryEntity, WebhookEntity } from '../../src/db/entities';
import { JobQueue } from '../../src/jobs/job-queue';
import { VideoStatus } from '../../src/domain/video-status';
import { VideoEvent } from '../../src/domain/video-event';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp } from '../helpers/graphql';
import { mediaDir, queueVideo, seedVideo, waitForStatus, type MediaDir } from '../helpers/media';
import { uploadFile } from '../helpers/uploads';
import { startReceiver, type Received, type Receiver } from '../helpers/webhook-receiver';

const CREATE = 'mutation($url:String!,$events:[WebhookEvent!]!){ createWebhook(url:$url, events:$events){ secret webhook{ id url events createdAt } } }';
const LIST = '{ webhooks { id url events } }';
const DELIVERIES = 'query($id:ID!){ webhookDeliveries(webhookId:$id){ id messageId event attempt statusCode latencyMs succeeded error } }';
const DELETE_HOOK = 'mutation($id:ID!){ deleteWebhook(id:$id) }';
const DELETE_VIDEO = 'mutation($id:ID!){ deleteVideo(id:$id) }';

interface Delivery { id: string; messageId: string; event: string; attempt: number; statusCode: number | null; latencyMs: number | null; succeeded: boolean; error: string | null }
interface Payload { type: string; timestamp: string; data: { video: { id: string; title: string; status: string; visibility: string; failureReason: string | null; durationSeconds: number | null } } }

async function createHook(stack: TestStack, token: string, url: string, events: string[]) {
  const r = await gql<{ createWebhook: { secret: string; webhook: { id: string; events: string[] } } }>(stack.url, CREATE, { url, events }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data!.createWebhook;
}

/** What a receiver does: verify the Standard Webhooks signature with the library, then parse. */
function verified(secret: string, r: Received): Payload {
  const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
  return new Webhook(secret).verify(r.body, headers) as Payload;
}

const typeOf = (r: Received) => (JSON.parse(r.body) as Payload).type;
const videoOf = (r: Received) => (JSON.parse(r.body) as Payload).data.video.id;

describe('webhooks: signed deliveries from the queue, retries, ownership', () => {
  let stack: TestStack;
  let rx: Receiver;
  let media: MediaDir;
  let owner: { token: string; userId: string };
  let other: { token: string; userId: string };

  before(async () => {
    [stack, rx, media] = await Promise.all([
      startStack({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '300', WEBHOOK_TIMEOUT_MS: '2000' } }),
      startReceiver(),
      mediaDir(),
    ]);
    owner = await signUp(stack.url, 'Hooked');
    other = await signUp(stack.url, 'Other');
  });
  after(async () => {
    await rx?.close();
    await stack?.close();
    await media?.cleanup();
  });

  it('delivers upload.completed then video.ready for a real upload, signed so the standardwebhooks library verifies them', async () => {
    const { secret, webhook } = await createHook(stack, owner.token, rx.url('/real'), ['UPLOAD_COMPLETED', 'VIDEO_READY']);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(webhook.events, ['UPLOAD_COMPLETED', 'VIDEO_READY']);
    const up = await uploadFile(stack.url, owner.token, await media.clip('hook.mp4', { seconds: 2 }), { title: 'Hooked clip', visibility: 'PRIVATE' });
    const id = up.data!.uploadVideo.id;
    const [completed] = await rx.waitFor((r) => r.path === '/real' && typeOf(r) === 'upload.completed' && videoOf(r) === id);
    const [ready] = await rx.waitFor((r) => r.path === '/real' && typeOf(r) === 'video.ready' && videoOf(r) === id, 1, 120_000);
    const c = verified(secret, completed!);
    const r = verified(secret, ready!);
    assert.equal(c.data.video.status, 'QUEUED');
    const { id: readyId, durationSeconds, ...rest } = r.data.video;
    assert.equal(readyId, id);
    assert.ok(durationSeconds !== null && Math.abs(durationSeconds - 2) < 0.5, `duration ${durationSeconds}`);
    assert.deepEqual(rest, { title: 'Hooked clip', status: 'READY', visibility: 'PRIVATE', failureReason: null });
    assert.ok(Math.abs(Date.parse(r.timestamp) - Date.now()) < 300_000);
    assert.notEqual(completed!.headers['webhook-id'], ready!.headers['webhook-id'], 'one message id per message');
    assert.throws(() => verified(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, ready!), 'another secret does not verify');
    assert.throws(() => new Webhook(secret).verify(ready!.body.replace('READY', 'FAILED'), ready!.headers as Record<string, string>), 'a changed body does not verify');

    const log = await gql<{ webhookDeliveries: Delivery[] }>(stack.url, DELIVERIES, { id: webhook.id }, owner.token);
    const rows = log.data!.webhookDeliveries;
    assert.deepEqual(rows.map((d) => [d.event, d.attempt, d.statusCode, d.succeeded]), [['VIDEO_READY', 1, 200, true], ['UPLOAD_COMPLETED', 1, 200, true]]);
    assert.ok(rows.every((d) => d.latencyMs !== null && d.latencyMs >= 0 && d.error === null));
    assert.equal(rows[0]!.messageId, ready!.headers['webhook-id']);
  });

  it('retries a 500 with backoff and then succeeds, keeping the webhook-id and re-signing each attempt', async () => {
    rx.answer('/flaky', (n) => ({ status: n <= 2 ? 500 : 204 }));
    const { secret, webhook } = await createHook(stack, owner.token, rx.url('/flaky'), ['VIDEO_DELETED']);
    const id = await seedVideo(stack, { ownerId: owner.userId, title: 'Doomed' });
    assert.equal((await gql<{ deleteVideo: boolean }>(stack.url, DELETE_VIDEO, { id }, owner.token)).data?.deleteVideo, true);
    const hits = await rx.waitFor((r) => r.path === '/flaky', 3);
    assert.equal(new Set(hits.map((h) => h.headers['webhook-id'])).size, 1, 'the same message on every attempt');
    for (const h of hits) assert.equal(verified(secret, h).data.video.id, id);
    assert.equal(typeOf(hits[0]!), 'video.deleted');
    const rows = (await gql<{ webhookDeliveries: Delivery[] }>(stack.url, DELIVERIES, { id: webhook.id }, owner.token)).data!.webhookDeliveries;
    assert.deepEqual(rows.map((d) => [d.attempt, d.statusCode, d.succeeded, d.error]).reverse(), [[1, 500, false, 'HTTP 500'], [2, 500, false, 'HTTP 500'], [3, 204, true, null]]);
  });

  it('delivers video.failed when processing fails, only to endpoints subscribed to it', async () => {
    const failed = await createHook(stack, owner.token, rx.url('/failed'), ['VIDEO_FAILED']);
    await createHook(stack, owner.token, rx.url('/not-subscribed'), ['VIDEO_READY']);
    const id = await queueVideo(stack, owner.userId, await media.text('fake.mp4', 'this is not a video'));
    await waitForStatus(stack, id, [VideoStatus.FAILED]);
    const [hit] = await rx.waitFor((r) => r.path === '/failed' && videoOf(r) === id);
    const payload = verified(failed.secret, hit!);
    assert.equal(payload.type, 'video.failed');
    assert.equal(payload.data.video.status, 'FAILED');
    assert.ok(payload.data.video.failureReason);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rx.received.filter((r) => r.path === '/not-subscribed').length, 0);
  });

  it("keeps webhooks to their owner: others cannot list, delete or read deliveries, and never get the owner's events", async () => {
    const mine = await createHook(stack, owner.token, rx.url('/mine'), ['VIDEO_DELETED']);
    const theirs = await createHook(stack, other.token, rx.url('/theirs'), ['VIDEO_DELETED']);
    const listed = await gql<{ webhooks: { id: string; url: string }[] }>(stack.url, LIST, {}, other.token);
    assert.deepEqual(listed.data?.webhooks.map((w) => w.id), [theirs.webhook.id]);
    assert.equal(errorCode(await gql(stack.url, DELETE_HOOK, { id: mine.webhook.id }, other.token)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(stack.url, DELIVERIES, { id: mine.webhook.id }, other.token)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(stack.url, DELIVERIES, { id: 'nope' }, other.token)), 'NOT_FOUND');
    for (const q of [LIST, DELIVERIES, DELETE_HOOK]) assert.equal(errorCode(await gql(stack.url, q, { id: mine.webhook.id })), 'UNAUTHENTICATED');
    assert.equal(errorCode(await gql(stack.url, CREATE, { url: rx.url('/anon'), events: ['VIDEO_READY'] })), 'UNAUTHENTICATED');
    assert.ok(await stack.api.infra.ds.getRepository(WebhookEntity).existsBy({ id: mine.webhook.id }), 'still there');

    // The owner's video event reaches only the owner's endpoint.
    const id = await seedVideo(stack, { ownerId: owner.userId });
    await gql(stack.url, DELETE_VIDEO, { id }, owner.token);
    await rx.waitFor((r) => r.path === '/mine' && videoOf(r) === id);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rx.received.filter((r) => r.path === '/theirs').length, 0);

    // Deleting takes the webhook, its log, and its pending deliveries with it.
    assert.equal((await gql<{ deleteWebhook: boolean }>(stack.url, DELETE_HOOK, { id: mine.webhook.id }, owner.token)).data?.deleteWebhook, true);
    assert.equal(await stack.api.infra.ds.getRepository(WebhookDeliveryEntity).countBy({ webhookId: mine.webhook.id }), 0);
    assert.equal(errorCode(await gql(stack.url, DELETE_HOOK, { id: mine.webhook.id }, owner.token)), 'NOT_FOUND');
  });

  it('validates input: events, URL scheme and credentials, and refuses metadata addresses even with private targets allowed', async () => {
    const bad = [
      { url: rx.url('/x'), events: [] },
      { url: 'ftp://example.com/', events: ['VIDEO_READY'] },
      { url: 'https://user:secret@example.com/', events: ['VIDEO_READY'] },
      { url: 'http://169.254.169.254/latest/meta-data/', events: ['VIDEO_READY'] },
      { url: 'http://[fd00:ec2::254]/', events: ['VIDEO_READY'] },
      { url: 'http://0.0.0.0:80/', events: ['VIDEO_READY'] },
    ];
    for (const vars of bad) {
      const r = await gql(stack.url, CREATE, vars, owner.token);
      assert.equal(errorCode(r), 'BAD_USER_INPUT', JSON.stringify(vars));
      assert.doesNotMatch(JSON.stringify(r.errors), /secret@/, 'the URL is not echoed back');
    }
  });

  it('prunes delivery log rows past their retention (webhooks.prune)', async () => {
    const { webhook } = await createHook(stack, owner.token, rx.url('/prune'), ['VIDEO_READY']);
    const repo = stack.api.infra.ds.getRepository(WebhookDeliveryEntity);
    const row = { webhookId: webhook.id, messageId: `msg_${randomUUID()}`, event: VideoEvent.VIDEO_READY, attempt: 1, statusCode: 200, latencyMs: 5, succeeded: true, error: null };
    await repo.insert([{ ...row, createdAt: new Date(Date.now() - 31 * 24 * 3600 * 1000) }, { ...row, attempt: 2 }]);
    const jobs = new JobQueue(stack.api.infra.redis, stack.config.redisPrefix);
    try {
      await jobs.add('webhooks.prune', {});
    } finally {
      await jobs.close();
    }
    const until = Date.now() + 15_000;
    while ((await repo.countBy({ webhookId: webhook.id })) > 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await repo.findBy({ webhookId: webhook.id })).map((d) => d.attempt), [2], 'only the recent row stays');
  });
});

describe('webhooks with private targets refused (the default)', () => {
  let stack: TestStack;
  let rx: Receiver;
  let owner: { token: string; userId: string };

  before(async () => {
    [stack, rx] = await Promise.all([startStack({ worker: true, env: { WEBHOOK_RETRY_BASE_MS: '300' } }), startReceiver()]);
    owner = await signUp(stack.url, 'Careful');
  });
  after(async () => {
    await rx?.close();
    await stack?.close();
  });

  it('refuses loopback, private, link-local, CGNAT, metadata and names resolving to them at creation', async () => {
    const urls = [
      rx.url('/'), `http://localhost:${rx.port}/`, 'http://[::1]/', 'http://10.0.0.1/', 'http://192.168.1.10/', 'http://172.20.0.1/',
      'http://169.254.169.254/', 'http://[fd00:ec2::254]/', 'http://100.64.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/', 'http://[fe80::1]/',
    ];
    for (const url of urls) {
      const r = await gql(stack.url, CREATE, { url, events: ['VIDEO_DELETED'] }, owner.token);
      assert.equal(errorCode(r), 'BAD_USER_INPUT', url);
      assert.match(r.errors?.[0]?.message ?? '', /public/, url);
    }
    assert.equal(await stack.api.infra.ds.getRepository(WebhookEntity).countBy({ ownerId: owner.userId }), 0);
  });

  it('checks again at delivery time: a name that now resolves to 127.0.0.1 is refused without a connection, and not retried', async () => {
    // As if the name had resolved to a public address when the webhook was created (DNS rebinding).
    const hook = { id: randomUUID(), ownerId: owner.userId, url: `http://localhost:${rx.port}/rebound`, events: [VideoEvent.VIDEO_DELETED], secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` };
    await stack.api.infra.ds.getRepository(WebhookEntity).insert(hook);
    const id = await seedVideo(stack, { ownerId: owner.userId });
    await gql(stack.url, DELETE_VIDEO, { id }, owner.token);
    const until = Date.now() + 15_000;
    let rows: Delivery[] = [];
    while (!rows.length && Date.now() < until) {
      rows = (await gql<{ webhookDeliveries: Delivery[] }>(stack.url, DELIVERIES, { id: hook.id }, owner.token)).data?.webhookDeliveries ?? [];
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.statusCode, null);
    assert.equal(rows[0]!.succeeded, false);
    assert.match(rows[0]!.error ?? '', /non-public address \(loopback\)/);
    await new Promise((r) => setTimeout(r, 1500)); // several backoff periods: no retry may follow
    assert.equal((await gql<{ webhookDeliveries: Delivery[] }>(stack.url, DELIVERIES, { id: hook.id }, owner.token)).data?.webhookDeliveries.length, 1);
    assert.equal(rx.received.length, 0, 'nothing reached the loopback server');
  });
});
