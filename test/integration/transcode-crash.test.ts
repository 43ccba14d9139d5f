import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as HLS from 'hls-parser';
import { createLogger } from '../../src/config/logger';
import { RenditionEntity } from '../../src/db/entities';
import { publicPrefix } from '../../src/storage/keys';
import { VideoStatus } from '../../src/domain/video-status';
import { startWorker, type RunningWorker } from '../../src/app/worker';
import { S3_ENV, startStack, type TestStack } from '../helpers/env';
import { collect, signUp, wsClient } from '../helpers/graphql';
import { enqueue, makeClip, mediaDir, queueVideo, readText, waitForJob, waitForStatus } from '../helpers/media';

interface Event {
  status: string; phase: string; percent: number; phasePercent: number | null; etaSeconds: number | null;
  attempt: number | null; restartPhase: string | null; playable: boolean;
}
const PROGRESS = 'subscription($id:ID!){ videoProgress(videoId:$id){ status phase percent phasePercent etaSeconds attempt restartPhase playable } }';

/**
 * One whole job watched from before the first attempt to READY, with the worker killed without
 * warning in the middle of its encode: another worker finishes it with nothing of the first try
 * left, and the subscriber sees RETRY (and where it restarts) with a percent that never goes back.
 */
describe('a worker killed mid-encode', () => {
  let stack: TestStack;
  let media: Awaited<ReturnType<typeof mediaDir>>;
  let child: ChildProcess | null = null;
  let second: RunningWorker | null = null;

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

  it('is retried by another worker: READY, nothing of the first try left, progress restarting with RETRY and never going back', { timeout: 300_000 }, async () => {
    const clip = await makeClip(path.join(media.dir, 'long.mp4'), { size: '1280x720', seconds: 16 });
    const owner = await signUp(stack.url);
    const id = await queueVideo(stack, owner.userId, clip, { enqueue: false });
    const storage = stack.config.storage;
    assert.equal(storage.driver, 's3');
    // The first worker is a process of its own (and its ffmpeg in the same group), killed without warning.
    child = spawn(process.execPath, [path.join(__dirname, '../../src/worker.js')], {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        ...S3_ENV,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: stack.config.databaseUrl,
        REDIS_PREFIX: stack.config.redisPrefix,
        S3_BUCKET: storage.driver === 's3' ? storage.bucket : '',
      },
    });
    const client = wsClient(stack.url, owner.token);
    const events: Event[] = [];
    let midEncode!: () => void;
    const reachedMidEncode = new Promise<void>((r) => (midEncode = r));
    let killPercent = 0;
    const sub = collect<{ videoProgress: Event }>(client, PROGRESS, { id }, (e) => {
      const ev = e.videoProgress;
      events.push(ev);
      if (!killPercent && ev.phase === 'TRANSCODE' && ev.playable && ev.percent >= 25) {
        killPercent = ev.percent;
        midEncode();
      }
      return ['READY', 'FAILED'].includes(ev.status);
    }, 240_000);
    await sub.ready;
    await enqueue(stack, id);
    await reachedMidEncode;
    const firstTry = await stack.api.infra.storage.list(publicPrefix(id));
    assert.ok(firstTry.length > 0, 'the first try had published its quick version');
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    assert.equal((await waitForStatus(stack, id, [VideoStatus.PROCESSING])).status, VideoStatus.PROCESSING);

    second = await startWorker(stack.config, createLogger(stack.config, 'worker'));
    assert.equal(await waitForJob(stack, id), 'completed');
    const v = await waitForStatus(stack, id, [VideoStatus.READY, VideoStatus.FAILED]);
    assert.equal(v.status, VideoStatus.READY, v.failureReason ?? '');
    await sub.done;
    await client.dispose();

    // What the subscriber saw over both attempts.
    assert.equal(events.at(-1)?.status, 'READY', JSON.stringify(events.at(-1)));
    assert.equal(events.at(-1)?.percent, 100);
    const percents = events.map((e) => e.percent);
    assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `percent goes back: ${percents.join(',')}`);
    const retry = events.findIndex((e) => e.phase === 'RETRY');
    assert.ok(retry > 0, `no RETRY in ${[...new Set(events.map((e) => e.phase))].join(',')}`);
    assert.equal(events[retry].restartPhase, 'PROBE');
    assert.equal(events[retry].attempt, 2);
    assert.ok(events[retry].percent >= killPercent, `the retry starts where the bar was: ${events[retry].percent} < ${killPercent}`);
    const afterRetry = events.slice(retry + 1);
    assert.ok(afterRetry.some((e) => e.phase === 'TRANSCODE' && e.attempt === 2), 'the second attempt reports its own encode');
    assert.ok(new Set(afterRetry.filter((e) => e.phase === 'TRANSCODE').map((e) => e.percent)).size >= 3, 'and its percent moves on from there');
    assert.ok(events.some((e) => e.phase === 'TRANSCODE' && e.etaSeconds !== null && e.etaSeconds > 0), 'an ETA once the encode measures its speed');
    assert.ok(events.filter((e) => e.phase === 'PROBE').every((e) => e.etaSeconds === null), 'no ETA before anything is measured');

    const keys = await stack.api.infra.storage.list(publicPrefix(id));
    assert.equal(keys.filter((k) => firstTry.includes(k)).length, 0, 'nothing of the first try is left');
    const folders = new Set(keys.map((k) => k.slice(publicPrefix(id).length).split('/')[0]));
    assert.equal(folders.size, 1);
    // Every stored file is referenced: the manifests' segments, playlists, poster and storyboard — nothing else.
    const folder = `${publicPrefix(id)}${[...folders][0]}/`;
    const rows = await stack.api.infra.ds.getRepository(RenditionEntity).findBy({ videoId: id });
    assert.deepEqual(rows.map((r) => r.height).sort((a, b) => a - b), [240, 360, 480, 720]);
    const referenced = new Set<string>([v.hlsKey!, v.dashKey!, v.storyboard!.vttKey, ...v.storyboard!.imageKeys, ...v.poster!.map((p) => p.key)]);
    const master = HLS.parse(await readText(stack, v.hlsKey!));
    assert.ok(master.isMasterPlaylist);
    const playlists = [...master.variants.map((x) => x.uri), ...master.variants.flatMap((x) => x.audio.map((a) => a.uri ?? ''))];
    for (const uri of new Set(playlists)) {
      referenced.add(folder + uri);
      const media = HLS.parse(await readText(stack, folder + uri));
      if (media.isMasterPlaylist) continue;
      for (const s of media.segments) {
        referenced.add(folder + s.uri);
        if (s.map) referenced.add(folder + s.map.uri);
      }
    }
    assert.deepEqual(keys.filter((k) => !referenced.has(k)), [], 'no unreferenced objects');
    const temp = (await readdir(os.tmpdir())).filter((d) => d.startsWith(`vp-transcode-${id}-`));
    assert.deepEqual(temp, [], 'no temp workspace left');
  });
});
