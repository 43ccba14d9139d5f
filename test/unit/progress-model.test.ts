import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attemptStart, jobPercent, JobProgress, PHASE_SPANS, TAIL_FIXED_SECONDS, TAIL_PER_MEDIA_SECOND } from '../../src/events/progress-model';

describe('progress model: one whole-job percent', () => {
  it('gives every phase a span, in the order a job goes through them, from 0 to 100', () => {
    const order = ['UPLOAD', 'QUEUED', 'PROBE', 'TRANSCODE', 'THUMBNAILS', 'PUBLISH', 'DONE'] as const;
    let at = 0;
    for (const p of order) {
      const [from, to] = PHASE_SPANS[p];
      assert.ok(from >= at && to >= from, p);
      at = to;
    }
    assert.deepEqual([jobPercent('UPLOAD', 0), jobPercent('UPLOAD', 100), jobPercent('QUEUED', 0), jobPercent('DONE', 0)], [0, 20, 20, 100]);
    assert.equal(jobPercent('TRANSCODE', 50), 56.5);
    assert.equal(jobPercent('PUBLISH', 250), 99, 'clamped to the phase');
  });

  it('starts a first attempt at zero, a restarted one at the percent already shown, a re-encode afresh', () => {
    assert.deepEqual(attemptStart(null, 1), { floor: 0, restarted: false, reset: false });
    assert.deepEqual(attemptStart({ status: 'QUEUED', percent: 20 }, 1), { floor: 0, restarted: false, reset: false });
    assert.deepEqual(attemptStart({ status: 'PROCESSING', percent: 61.5 }, 2), { floor: 61.5, restarted: true, reset: false });
    assert.deepEqual(attemptStart({ status: 'PROCESSING', percent: 40 }, 1), { floor: 40, restarted: true, reset: false }, 'a lost worker leaves PROCESSING behind');
    assert.deepEqual(attemptStart({ status: 'READY', percent: 100 }, 1), { floor: 0, restarted: false, reset: true });
  });

  it('never goes back, and after a restart spreads the remaining work above the floor', () => {
    const first = new JobProgress({ floor: 0, restarted: false, reset: false });
    assert.equal(first.percent('PROBE', 0), 20);
    assert.equal(first.percent('TRANSCODE', 50), 56.5);
    assert.equal(first.percent('TRANSCODE', 40), 56.5, 'a smaller position never lowers the percent');

    const retry = new JobProgress({ floor: 60, restarted: true, reset: false });
    const seen = [retry.percent('PROBE', 0), retry.percent('PROBE', 100), retry.percent('TRANSCODE', 50), retry.percent('PUBLISH', 100), retry.percent('DONE', 100)];
    assert.equal(seen[0], 60, 'restarts where the bar was');
    assert.ok(seen.every((p, i) => i === 0 || p > seen[i - 1]), `keeps moving: ${seen.join()}`);
    assert.ok(seen[3] < 100 && seen[4] === 100);
  });
});

describe('progress model: ETA', () => {
  it('is null until the ladder encode measures a speed, then remaining media / speed plus the stages after it', () => {
    let now = 0;
    const p = new JobProgress({ floor: 0, restarted: false, reset: false }, () => now);
    const tail = TAIL_FIXED_SECONDS + TAIL_PER_MEDIA_SECOND * 60;
    assert.equal(p.eta('PROBE', 50), null);
    p.encodeTick(0, 60, null);
    assert.equal(p.eta('TRANSCODE', 5), null, 'no speed yet');
    now = 1000;
    p.encodeTick(10, 60, 2); // 50 s of media left at ffmpeg's 2x: 25 s, plus the stages after the encode
    assert.equal(p.eta('TRANSCODE', 20), Math.round(25 + tail));
  });

  it('follows the encoder’s recent rate rather than its average since the start', () => {
    let now = 0;
    const p = new JobProgress({ floor: 0, restarted: false, reset: false }, () => now);
    // A slow start (look-ahead, a busy machine), then 1 media second per wall second.
    for (const [t, out, avg] of [[0, 0, null], [4000, 0.4, 0.1], [8000, 4.4, 0.55], [12000, 8.4, 0.7], [16000, 12.4, 0.78]] as const) {
      now = t;
      p.encodeTick(out, 60, avg);
    }
    // Over the last 10 s: 1x, so 47.6 s of media take ~48 s (ffmpeg's 0.78x average would say 61).
    assert.equal(p.eta('TRANSCODE', 30), Math.round(47.6 + TAIL_FIXED_SECONDS + TAIL_PER_MEDIA_SECOND * 60));
  });

  it('counts down the stages after the encode, then follows PUBLISH’s own rate', () => {
    let now = 0;
    const p = new JobProgress({ floor: 0, restarted: false, reset: false }, () => now);
    p.encodeTick(60, 60, 1); // 60 s of media: 3 + 6 s expected after the encode
    p.percent('THUMBNAILS', 0);
    now = 4000;
    assert.equal(p.eta('THUMBNAILS', 50), 5);
    p.percent('PUBLISH', 0);
    now = 6000;
    assert.equal(p.eta('PUBLISH', 50), 2, '2 s for the first half, 2 s for the rest');
    assert.equal(p.eta('DONE', 100), 0);
  });
});
