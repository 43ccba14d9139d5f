import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VideoProgress } from '../../src/events/progress';
import { ProgressReporter } from '../../src/events/progress-reporter';
import { VideoStatus } from '../../src/domain/video-status';

const ev = (phase: VideoProgress['phase'], percent: number, extra: Partial<VideoProgress> = {}): VideoProgress => ({
  videoId: 'v', status: VideoStatus.PROCESSING, phase, percent, ...extra,
});

describe('ProgressReporter', () => {
  it('throttles ticks within a phase but always sends phase changes and forced events, in order', async () => {
    let now = 0;
    const got: VideoProgress[] = [];
    const r = new ProgressReporter([(e) => void got.push(e)], 500, () => now);
    r.report(ev('PROBE', 0));
    now = 100;
    r.report(ev('PROBE', 3)); // dropped: same phase, too soon
    r.report(ev('TRANSCODE', 10)); // phase change
    now = 200;
    r.report(ev('TRANSCODE', 20)); // dropped
    r.report(ev('TRANSCODE', 21, { rendition: 240 }), true); // forced
    now = 800;
    r.report(ev('TRANSCODE', 50)); // interval elapsed
    r.report(ev('DONE', 100, { status: VideoStatus.READY }), true);
    await r.flush();
    assert.deepEqual(got.map((e) => `${e.phase}:${e.percent}`), ['PROBE:0', 'TRANSCODE:10', 'TRANSCODE:21', 'TRANSCODE:50', 'DONE:100']);
  });

  it('keeps playable once set, and survives a failing sink', async () => {
    const got: VideoProgress[] = [];
    const r = new ProgressReporter([() => Promise.reject(new Error('redis down')), (e) => void got.push(e)], 0);
    r.report(ev('TRANSCODE', 15, { playable: true }), true);
    r.report(ev('THUMBNAILS', 85), true);
    await r.flush();
    assert.deepEqual(got.map((e) => e.playable), [true, true]);
  });
});

describe('ProgressReporter heartbeat', () => {
  it('repeats the last event while a phase lasts, counting its ETA down, and stops on DONE or close', async () => {
    const got: VideoProgress[] = [];
    let now = 0;
    const r = new ProgressReporter([(e) => void got.push(e)], 500, () => now, 30);
    r.report(ev('THUMBNAILS', 90, { etaSeconds: 10 }), true);
    now = 3000;
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(got.length, 2);
    assert.deepEqual([got[1].phase, got[1].percent, got[1].etaSeconds], ['THUMBNAILS', 90, 7]);
    r.report(ev('DONE', 100), true);
    await new Promise((res) => setTimeout(res, 80));
    assert.equal(got.at(-1)?.phase, 'DONE');
    assert.equal(got.filter((e) => e.phase === 'DONE').length, 1, 'nothing after DONE');
    r.close();
  });

  it('is silent while paused until the next report', async () => {
    const got: VideoProgress[] = [];
    const r = new ProgressReporter([(e) => void got.push(e)], 0, Date.now, 20);
    r.report(ev('TRANSCODE', 30), true);
    r.pause();
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(got.length, 1);
    r.close();
  });
});
