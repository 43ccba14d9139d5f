import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { publicPrefix, sourceKey } from '../../src/storage/keys';
import { startStack, type TestStack } from '../helpers/env';
import { signUp } from '../helpers/graphql';
import { mediaDir, queueVideo, waitForStatus, type MediaDir } from '../helpers/media';

const CDN = 'https://cdn.example.com/media';

describe('security: originals are never public behind a CDN (issue 9, item 8)', () => {
  let stack: TestStack;
  let media: MediaDir;
  before(async () => {
    [stack, media] = await Promise.all([startStack({ worker: true, env: { PUBLIC_MEDIA_BASE_URL: CDN } }), mediaDir()]);
  });
  after(async () => {
    await stack.close();
    await media.cleanup();
  });

  it("keeps sources outside what the CDN may serve, and private videos' keys unguessable", async () => {
    const { userId } = await signUp(stack.url);
    const clip = await media.clip('c.mp4', { seconds: 1 });
    const pub = await queueVideo(stack, userId, clip, { visibility: Visibility.PUBLIC });
    const priv = await queueVideo(stack, userId, clip, { visibility: Visibility.PRIVATE });
    for (const id of [pub, priv]) assert.equal((await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED])).status, VideoStatus.READY);

    // The CDN's origin serves `videos/<id>/public/` only (README): every redirect lands there, the source never is there.
    const res = await fetch(`${stack.url}/videos/${pub}/master.m3u8`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.ok(res.headers.get('location')!.startsWith(`${CDN}/${publicPrefix(pub)}`), res.headers.get('location')!);
    assert.ok(!sourceKey(pub).startsWith(publicPrefix(pub)));
    assert.equal((await fetch(`${stack.url}/videos/${pub}/source`, { redirect: 'manual' })).status, 404);
    // A private video is never sent to the CDN.
    assert.notEqual((await fetch(`${stack.url}/videos/${priv}/master.m3u8`, { redirect: 'manual' })).status, 302);

    // Whatever the CDN origin exposes, a private video's published keys cannot be guessed from its id.
    const keys = await stack.api.infra.storage.list(publicPrefix(priv));
    assert.ok(keys.length > 0);
    for (const key of keys) {
      const folder = key.slice(publicPrefix(priv).length).split('/')[0]!;
      const name = key.split('/').at(-1)!;
      assert.ok(/[0-9a-f]{32}/.test(folder) || /[0-9a-f]{32}/.test(name), `guessable key ${key}`);
    }
  });
});
