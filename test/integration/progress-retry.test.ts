import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/config/logger';
import { startWorker, type RunningWorker } from '../../src/app/worker';
import { S3_ENV, startStack, type TestStack } from '../helpers/env';
import { collect, signUp, wsClient } from '../helpers/graphql';
import { enqueue, makeClip, mediaDir, queueVideo, waitForJob } from '../helpers/media';

interface Event {
  status: string; phase: string; percent: number; phasePercent: number | null; etaSeconds: number | null;
  attempt: number | null; restartPhase: string | null; playable: boolean;
}
const PROGRESS = 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase percent phasePercent etaSeconds attempt restartPhase playable } }';

/**
 * One whole job watched from before the first attempt to READY, with the worker killed in the
 * middle of its encode: the second attempt announces RETRY (and where it restarts) and the
 * percent never goes back, from the first event to the last.
 */
describe('progress over a whole job with a retry', () => {
  let stack: TestStack;
  let media: Awaited<ReturnType<typeof mediaDir>>;
  let child: ChildProcess | null = null;
  let second: RunningWorker | null = null;
  let events: Event[] = [];

  before(async () => {
    stack = await startStack();
    media = await mediaDir();
  });
  after(async () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    await second?.close();
    await stack.close();
    await media.cleanup();
  });

  it('restarts with RETRY where the bar was and ends READY at 100, never going back', { timeout: 300_000 }, async () => {
    const clip = await makeClip(path.join(media.dir, 'long.mp4'), { size: '1280x720', seconds: 16 });
    const owner = await signUp(stack.url);
    const id = await queueVideo(stack, owner.userId, clip, { enqueue: false });
    const storage = stack.config.storage;
    // The first worker is a process of its own (and its ffmpeg in the same group), killed without warning.
    child = spawn(process.execPath, [path.join(__dirname, '../../src/worker.js')], {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env, ...S3_ENV, NODE_ENV: 'test', LOG_LEVEL: 'warn',
        DATABASE_URL: stack.config.databaseUrl, REDIS_PREFIX: stack.config.redisPrefix, S3_BUCKET: storage.driver === 's3' ? storage.bucket : '',
      },
    });
    const client = wsClient(stack.url, owner.token);
    let killAt: Promise<void> | null = null;
    const sub = collect<{ videoProgress: Event }>(client, PROGRESS, { id }, (e) => {
      const ev = e.videoProgress;
      events.push(ev);
      if (!killAt && ev.phase === 'TRANSCODE' && ev.playable && ev.percent >= 40) {
        // Mid-encode: the worker and its ffmpeg die; a fresh worker takes the job once it counts as stalled.
        process.kill(-child!.pid!, 'SIGKILL');
        killAt = new Promise<void>((r) => child!.once('exit', () => r())).then(async () => {
          second = await startWorker(stack.config, createLogger(stack.config, 'worker'));
        });
      }
      return ['READY', 'FAILED'].includes(ev.status);
    }, 240_000);
    await sub.ready;
    await enqueue(stack, id);
    await sub.done;
    await killAt;
    await waitForJob(stack, id);
    await client.dispose();

    assert.equal(events.at(-1)?.status, 'READY', JSON.stringify(events.at(-1)));
    assert.equal(events.at(-1)?.percent, 100);
    const percents = events.map((e) => e.percent);
    assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `percent goes back: ${percents.join(',')}`);

    const retry = events.findIndex((e) => e.phase === 'RETRY');
    assert.ok(retry > 0, `no RETRY in ${[...new Set(events.map((e) => e.phase))].join(',')}`);
    const r = events[retry];
    assert.equal(r.restartPhase, 'PROBE');
    assert.equal(r.attempt, 2);
    assert.ok(r.percent >= 40, `the retry starts where the bar was: ${r.percent}`);
    const after = events.slice(retry + 1);
    assert.ok(after.some((e) => e.phase === 'TRANSCODE' && e.attempt === 2), 'the second attempt reports its own encode');
    assert.ok(new Set(after.filter((e) => e.phase === 'TRANSCODE').map((e) => e.percent)).size >= 3, 'and its percent moves on from there');
    assert.ok(events.some((e) => e.phase === 'TRANSCODE' && e.etaSeconds !== null && e.etaSeconds > 0), 'an ETA once the encode measures its speed');
    assert.ok(events.filter((e) => e.phase === 'PROBE').every((e) => e.etaSeconds === null), 'no ETA before anything is measured');
  });
});
