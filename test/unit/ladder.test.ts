import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildLadder, capFrameRate } from '../../src/media/ladder';

const sizes = (src: Parameters<typeof buildLadder>[0]) => buildLadder(src).rungs.map((r) => `${r.width}x${r.height}`);

describe('buildLadder', () => {
  it('gives a 1080p source the five rungs at and below it, largest first', () => {
    assert.deepEqual(sizes({ width: 1920, height: 1080, frameRate: 30, bitrate: null }), ['1920x1080', '1280x720', '854x480', '640x360', '426x240']);
  });

  it('gives a 4K source all seven rungs', () => {
    const l = buildLadder({ width: 3840, height: 2160, frameRate: 30, bitrate: 40_000_000 });
    assert.deepEqual(l.rungs.map((r) => r.name), [2160, 1440, 1080, 720, 480, 360, 240]);
  });

  it('never upscales: a 2-second 240p source gets one 240p rung, a 180p source one rung at its own size', () => {
    assert.deepEqual(sizes({ width: 426, height: 240, frameRate: 25, bitrate: 300_000 }), ['426x240']);
    assert.deepEqual(sizes({ width: 320, height: 180, frameRate: 25, bitrate: null }), ['320x180']);
    assert.deepEqual(sizes({ width: 161, height: 101, frameRate: 25, bitrate: null }), ['160x100']);
  });

  it('uses the short side for portrait video', () => {
    assert.deepEqual(sizes({ width: 1080, height: 1920, frameRate: 30, bitrate: null }), ['1080x1920', '720x1280', '480x854', '360x640', '240x426']);
  });

  it('keeps every dimension even', () => {
    for (const [w, h] of [[1281, 721], [999, 555], [1440, 1080], [2048, 858], [607, 1079]]) {
      for (const r of buildLadder({ width: w, height: h, frameRate: 24, bitrate: null }).rungs) {
        assert.ok(r.width % 2 === 0 && r.height % 2 === 0, `${w}x${h} → ${r.width}x${r.height}`);
      }
    }
  });

  it('targets bits per pixel, more for small rungs, each capped by the source bitrate', () => {
    const free = buildLadder({ width: 1920, height: 1080, frameRate: 30, bitrate: null }).rungs;
    const bpp = free.map((r) => r.videoBitrate / (r.width * r.height * 30));
    assert.ok(bpp.every((b, i) => i === 0 || b >= bpp[i - 1]), bpp.join(','));
    assert.ok(free.every((r, i) => i === 0 || r.videoBitrate < free[i - 1].videoBitrate));
    const capped = buildLadder({ width: 1920, height: 1080, frameRate: 30, bitrate: 1_000_000 }).rungs;
    assert.ok(capped.every((r) => r.videoBitrate <= 1_000_000));
    assert.ok(capped.every((r) => r.maxBitrate > r.videoBitrate));
  });

  it('caps the frame rate at 60 and defaults unknown rates to 30', () => {
    assert.equal(buildLadder({ width: 1280, height: 720, frameRate: 120, bitrate: null }).frameRate, 60);
    assert.equal(capFrameRate(100), 50);
    assert.equal(capFrameRate(59.94), 59.94);
    assert.equal(capFrameRate(0), 30);
    assert.equal(capFrameRate(23.976), 23.976);
  });

  it('refuses a source without dimensions', () => {
    assert.throws(() => buildLadder({ width: 0, height: 0, frameRate: 30, bitrate: null }));
  });
});
