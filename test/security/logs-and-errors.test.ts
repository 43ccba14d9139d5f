import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startApi, type RunningApi } from '../../src/app/api';
import { createLogger } from '../../src/config/logger';
import { VideoEntity } from '../../src/db/entities';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { dropDatabase, freePort, testConfig, type TestStack } from '../helpers/env';
import { collect, gql, signUp, wsClient } from '../helpers/graphql';
import { seedVideo } from '../helpers/media';

const INTERNAL = 'Processing failed after 3 attempts: connect ECONNREFUSED 10.0.0.5:7480 at /tmp/vp-transcode-x1/source';

describe('security: nothing secret in logs or errors (issue 9, item 10)', () => {
  const lines: string[] = [];
  let api: RunningApi;
  let stack: TestStack;
  before(async () => {
    const port = await freePort();
    // LOG_LEVEL info: the access log is what is looked at.
    const config = testConfig({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'info' });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    api = await startApi(config, createLogger(config, 'api', sink));
    stack = { config, api, worker: null, url: api.url, close: async () => undefined };
  });
  after(async () => {
    await api.infra.storage.deletePrefix('videos/').catch(() => undefined);
    await api.close();
    await dropDatabase(stack.config.databaseUrl);
  });

  it('logs requests with media tokens redacted', async () => {
    const secret = `${Math.floor(Date.now() / 1000) + 3600}.${'s'.repeat(43)}`;
    const res = await fetch(`${stack.url}/videos/00000000-0000-4000-8000-000000000000/master.m3u8?token=${secret}&x=1`);
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 200));
    const access = lines.filter((l) => l.includes('/videos/00000000-0000-4000-8000-000000000000/master.m3u8'));
    assert.ok(access.length > 0, 'the request is in the access log');
    for (const l of access) assert.ok(!l.includes(secret), `token in the log: ${l}`);
    assert.ok(access.some((l) => l.includes('token=[REDACTED]')), access.join('\n'));
    // Any other logged URL is redacted the same way.
    createLogger(stack.config, 'probe', new Writable({ write: (c: Buffer, _e, d) => (lines.push(c.toString()), d()) })).error({ url: `/videos/x/a.m4s?token=${secret}` }, 'delivery failed');
    assert.ok(!lines.at(-1)!.includes(secret), lines.at(-1));
  });

  it("shows a short public failure reason to anyone but the owner; the owner's stays", async () => {
    const owner = await signUp(stack.url);
    const other = await signUp(stack.url);
    const id = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.FAILED, visibility: Visibility.PUBLIC });
    await api.infra.ds.getRepository(VideoEntity).update({ id }, { failureReason: INTERNAL, hlsKey: null, dashKey: null });
    const reason = async (token?: string) => (await gql<{ video: { failureReason: string | null } }>(stack.url, 'query($id:ID!){ video(id:$id){ failureReason } }', { id }, token)).data?.video.failureReason;
    assert.equal(await reason(owner.token), INTERNAL);
    for (const seen of [await reason(other.token), await reason()]) {
      assert.ok(seen, 'a reason is given');
      assert.ok(!/ECONNREFUSED|10\.0\.0\.5|\/tmp\//.test(seen), seen);
      assert.ok(seen.length <= 80, seen);
    }
    const client = wsClient(stack.url, other.token);
    const sub = collect<{ videoProgress: { message: string | null } }>(client, 'subscription($id:ID!){ videoProgress(videoId:$id){ message } }', { id }, () => true, 10_000);
    const [event] = await sub.done;
    await client.dispose();
    assert.ok(!/ECONNREFUSED|10\.0\.0\.5|\/tmp\//.test(event?.videoProgress.message ?? ''), event?.videoProgress.message ?? '');
  });
});
