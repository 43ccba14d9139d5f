import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combine, measureBandwidth, withMeasuredBandwidth, withMpdBandwidth } from '../../src/media/bandwidth';
import { buildEncodeArgs, rateArgs, type EncodePlan } from '../../src/media/ffmpeg-args';
import { buildLadder, rateControlOf, rungRate } from '../../src/media/ladder';
import { readVariants } from '../../src/media/outputs';

const seg = (kB: number, duration = 4) => ({ bytes: kB * 1000, duration });

describe('measureBandwidth', () => {
  it('averages over the whole stream and takes the peak over runs of 0.5–1.5 target durations', () => {
    const bw = measureBandwidth([seg(500), seg(1000), seg(250)], 4);
    assert.equal(bw.average, Math.ceil((1750_000 * 8) / 12));
    assert.equal(bw.peak, 2_000_000);
  });

  it('does not let a short final segment (a keyframe and little else) set the peak', () => {
    const bw = measureBandwidth([seg(500), seg(500), seg(100, 0.5)], 4);
    // 100 kB in 0.5 s is 1.6 Mbit/s alone; joined with its neighbour (4.5 s) it is ~1.07.
    assert.ok(bw.peak < 1_100_000, String(bw.peak));
    assert.ok(bw.peak >= bw.average);
  });

  it('measures a stream shorter than half a target duration as a whole', () => {
    assert.deepEqual(measureBandwidth([seg(10, 1)], 4), { peak: 80_000, average: 80_000 });
  });

  it('refuses a stream without segments, and adds audio to its variant', () => {
    assert.throws(() => measureBandwidth([], 4));
    assert.deepEqual(combine({ peak: 10, average: 5 }, { peak: 2, average: 1 }), { peak: 12, average: 6 });
    assert.deepEqual(combine({ peak: 10, average: 5 }, null), { peak: 10, average: 5 });
  });
});

describe('manifests advertise the measured rates', () => {
  const master = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_2",DEFAULT=YES,URI="media_2.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=961796,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2",AUDIO="group_A1"',
    'media_0.m3u8',
    '',
    '#EXT-X-STREAM-INF:BANDWIDTH=497744,AVERAGE-BANDWIDTH=1,RESOLUTION=426x240,CODECS="avc1.42c015,mp4a.40.2",AUDIO="group_A1"',
    'media_1.m3u8',
    '',
  ].join('\n');

  it('replaces BANDWIDTH and AVERAGE-BANDWIDTH of every variant and keeps the other attributes', () => {
    const out = withMeasuredBandwidth(master, new Map([['media_0.m3u8', { peak: 700_000, average: 500_000 }], ['media_1.m3u8', { peak: 300_000, average: 200_000 }]]));
    assert.match(out, /^#EXT-X-STREAM-INF:BANDWIDTH=700000,AVERAGE-BANDWIDTH=500000,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2",AUDIO="group_A1"$/m);
    assert.match(out, /^#EXT-X-STREAM-INF:BANDWIDTH=300000,AVERAGE-BANDWIDTH=200000,RESOLUTION=426x240,/m);
    assert.deepEqual(readVariants(out).map((v) => [v.bandwidth, v.codecs]), [[700_000, 'avc1.42c01e,mp4a.40.2'], [300_000, 'avc1.42c015,mp4a.40.2']]);
  });

  it('refuses to leave a variant with the encoder\'s guess', () => {
    assert.throws(() => withMeasuredBandwidth(master, new Map([['media_0.m3u8', { peak: 1, average: 1 }]])), /media_1/);
  });

  it('sets each DASH Representation\'s bandwidth by id', () => {
    const mpd = '<AdaptationSet><Representation id="0" mimeType="video/mp4" bandwidth="761954" width="640"><SegmentTemplate/></Representation><Representation id="2" mimeType="audio/mp4"></Representation></AdaptationSet>';
    const out = withMpdBandwidth(mpd, new Map([['0', 650_000], ['2', 130_000]]));
    assert.match(out, /<Representation id="0" mimeType="video\/mp4" bandwidth="650000" width="640">/);
    assert.match(out, /<Representation bandwidth="130000" id="2" mimeType="audio\/mp4">/);
  });
});

describe('rate control per rung', () => {
  const ladder = buildLadder({ width: 1280, height: 720, frameRate: 30, bitrate: null });
  const top = ladder.rungs[0];

  it('capped CRF: constant quality with the table bitrate as the ceiling and one second of buffer', () => {
    assert.deepEqual(rungRate(top, { mode: 'capped-crf', crf: 21 }), { crf: 21, bitrate: null, maxrate: top.videoBitrate, bufsize: top.videoBitrate });
    assert.deepEqual(rateArgs(1, top, { mode: 'capped-crf', crf: 21 }), ['-crf:v:1', '21', '-maxrate:v:1', String(top.videoBitrate), '-bufsize:v:1', String(top.videoBitrate)]);
  });

  it('fixed: the table bitrate as the average, its peak as maxrate, as before', () => {
    assert.deepEqual(rateArgs(0, top, { mode: 'fixed' }), ['-b:v:0', String(top.videoBitrate), '-maxrate:v:0', String(top.maxBitrate), '-bufsize:v:0', String(top.maxBitrate * 2)]);
  });

  it('reads the setting, and keeps keyframes aligned and the single pass either way', () => {
    assert.deepEqual(rateControlOf('fixed', 21), { mode: 'fixed' });
    assert.deepEqual(rateControlOf('capped-crf', 23), { mode: 'capped-crf', crf: 23 });
    const plan: EncodePlan = {
      input: 'in', outDir: '/o', rungs: ladder.rungs, frameRate: 30, segmentSeconds: 4, audio: null, preset: 'veryfast',
      storyboard: null, strict: false, rateControl: { mode: 'capped-crf', crf: 21 },
    };
    const args = buildEncodeArgs(plan);
    assert.equal(args.filter((a) => a === '-i').length, 1);
    assert.equal(args[args.indexOf('-g') + 1], '120');
    assert.equal(args[args.indexOf('-sc_threshold') + 1], '0');
    ladder.rungs.forEach((r, i) => {
      assert.equal(args[args.indexOf(`-crf:v:${i}`) + 1], '21');
      assert.equal(args[args.indexOf(`-maxrate:v:${i}`) + 1], String(r.videoBitrate));
      assert.ok(!args.includes(`-b:v:${i}`));
    });
  });
});
