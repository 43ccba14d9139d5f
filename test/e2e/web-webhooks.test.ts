import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { launchBrowser, screenshot, signUpThroughUi, storedToken } from '../helpers/browser';
import { startStack, type TestStack } from '../helpers/env';
import { gql } from '../helpers/graphql';
import { mediaDir, type MediaDir } from '../helpers/media';
import { uploadFile } from '../helpers/uploads';
import { startReceiver, type Received, type Receiver } from '../helpers/webhook-receiver';

// The Webhooks page end to end: the endpoint added in the browser receives a real upload's events,
// signed with the secret the page showed, and the page lists those deliveries.
const SLOW = { timeout: 300_000 };
const PROCESSING_TIMEOUT = 120_000;

interface Payload { type: string; data: { video: { id: string } } }
interface Delivery { event: string; attempt: number; statusCode: number | null; succeeded: boolean }

const payload = (r: Received) => JSON.parse(r.body) as Payload;

/** What a receiver does: verify the Standard Webhooks signature with the library. */
function verify(secret: string, r: Received): Payload {
  const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
  return new Webhook(secret).verify(r.body, headers) as Payload;
}

/** Re-checks `check` until it holds; on timeout, fails with what it last saw. */
async function until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('webhooks page in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let rx: Receiver;
  let media: MediaDir;

  before(async () => {
    // The receiver listens on 127.0.0.1, which only WEBHOOK_ALLOW_PRIVATE_TARGETS lets through; a long
    // per-attempt timeout so a loaded machine does not turn one delivery into two.
    [stack, browser, rx, media] = await Promise.all([
      startStack({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '30000' } }),
      launchBrowser(),
      startReceiver(),
      mediaDir(),
    ]);
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await rx?.close();
    await stack?.close();
    await media?.cleanup();
  });

  const nav = () => page.getByRole('navigation', { name: 'Main' });

  it('is linked in the header only when signed in', async () => {
    await page.goto(`${stack.url}/`);
    await nav().getByRole('link', { name: 'Library' }).waitFor();
    assert.equal(await nav().getByRole('link', { name: 'Webhooks' }).count(), 0);
    await signUpThroughUi(page, stack.url, 'Hooks');
    await nav().getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('No endpoints yet.').waitFor();
  });

  it("shows the server's refusal of a metadata address, and adds nothing", async () => {
    await page.getByLabel('Endpoint URL').fill('http://169.254.169.254/latest/meta-data/');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.innerText(), /\S/);
    assert.doesNotMatch(await alert.innerText(), /\[GraphQL\]|Error:/);
    assert.equal(await page.getByTestId('webhook-secret').count(), 0);
    const listed = await gql<{ webhooks: unknown[] }>(stack.url, '{ webhooks { id } }', {}, (await storedToken(page))!);
    assert.deepEqual(listed.data?.webhooks, []);
  });

  it('adds an endpoint showing its secret once, lists the signed deliveries of an upload, and deletes it after asking', SLOW, async () => {
    const url = rx.url('/web-hooks');
    await page.getByLabel('Endpoint URL').fill(url);
    await page.getByRole('checkbox', { name: /upload\.completed/ }).check();
    await page.getByRole('checkbox', { name: /video\.failed/ }).uncheck();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor({ timeout: 30_000 });
    const secret = await shown.innerText();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByRole('region', { name: 'Signing secret' }).getByText('shown only once').waitFor();
    const item = page.getByRole('listitem', { name: url });
    await item.waitFor({ timeout: 30_000 });
    assert.deepEqual(await item.locator('.badge code').allInnerTexts(), ['video.ready', 'upload.completed']);

    // Never stored: after a reload the endpoint is listed, its secret nowhere.
    await page.reload();
    await item.waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('webhook-secret').count(), 0);
    assert.equal((await page.content()).includes(secret), false);

    // A real upload: accepted (upload.completed), then processed (video.ready).
    const token = (await storedToken(page))!;
    const up = await uploadFile(stack.url, token, await media.clip('hooked.mp4', { seconds: 2 }), { title: 'Hooked', visibility: 'PRIVATE' });
    assert.equal(up.errors, undefined, JSON.stringify(up.errors));
    const videoId = up.data!.uploadVideo.id;
    const ours = (type: string) => (r: Received) => r.path === '/web-hooks' && payload(r).type === type && payload(r).data.video.id === videoId;
    const [completed] = await rx.waitFor(ours('upload.completed'), 1, 30_000);
    const [ready] = await rx.waitFor(ours('video.ready'), 1, PROCESSING_TIMEOUT);
    assert.equal(verify(secret, completed!).data.video.id, videoId, 'the secret on the page verifies upload.completed');
    assert.equal(verify(secret, ready!).data.video.id, videoId, 'and video.ready');

    // The log row is written once the answer is in, just after the receiver saw the request.
    const webhookId = (await item.getAttribute('data-webhook-id'))!;
    await until(
      'both deliveries logged',
      async () => (await gql<{ webhookDeliveries: Delivery[] }>(stack.url, 'query($id:ID!){ webhookDeliveries(webhookId:$id){ event attempt statusCode succeeded } }', { id: webhookId }, token)).data?.webhookDeliveries ?? [],
      (rows) => rows.filter((d) => d.succeeded).length >= 2,
    );
    await item.getByRole('button', { name: 'Deliveries' }).click();
    // One successful attempt per message (a first one lost to a stalled machine would be retried).
    const delivered = (event: string) => item.locator('tr[data-succeeded=true]').filter({ hasText: event });
    await delivered('video.ready').waitFor({ timeout: 30_000 });
    for (const event of ['video.ready', 'upload.completed']) {
      const [name, attempt, result, latency] = await delivered(event).getByRole('cell').allInnerTexts();
      assert.deepEqual([name, result], [event, '200']);
      assert.match(`${attempt} ${latency}`, /^\d+ \d+ ms$/);
    }
    await screenshot(page, 'webhooks');

    // Delete asks first; "Keep it" keeps it.
    await item.getByRole('button', { name: 'Delete', exact: true }).click();
    await item.getByRole('button', { name: 'Keep it' }).click();
    await item.getByRole('button', { name: 'Delete', exact: true }).click();
    await item.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText(`Endpoint ${url} deleted.`).waitFor({ timeout: 30_000 });
    await page.getByText('No endpoints yet.').waitFor({ timeout: 30_000 });
    const left = await gql<{ webhooks: unknown[] }>(stack.url, '{ webhooks { id } }', {}, token);
    assert.deepEqual(left.data?.webhooks, []);
  });
});
