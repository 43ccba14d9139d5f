import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEncodeArgs, buildPosterArgs, buildRemuxArgs, buildStoryboardSheetArgs, gopFrames, type EncodePlan } from '../../src/media/ffmpeg-args';
import { buildLadder } from '../../src/media/ladder';
import { keyframesAligned } from '../../src/media/keyframes';
import { canCopyTopRung, canRemux, planStoryboard, posterSizes, readVariants, storyboardVtt, vttTime, withFrameRate } from '../../src/media/outputs';
import { parseProbe } from '../../src/media/probe';
import { ProgressParser, percentOf } from '../../src/media/progress-parser';

const ladder = buildLadder({ width: 1920, height: 1080, frameRate: 29.97, bitrate: null });
const plan: EncodePlan = {
  input: '/tmp/in.mp4', outDir: '/tmp/out', rungs: ladder.rungs, frameRate: ladder.frameRate, segmentSeconds: 4,
  audio: { bitrate: 128000 }, preset: 'veryfast', storyboard: { intervalSeconds: 2, tileWidth: 160, tileHeight: 90, columns: 10, rows: 3, framesDir: '/tmp/frames' }, strict: true,
  rateControl: { mode: 'fixed' },
};
const valueOf = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('buildEncodeArgs', () => {
  const args = buildEncodeArgs(plan);

  it('decodes once: one input, a scaling cascade feeding every rung, largest first, and the storyboard', () => {
    assert.equal(args.filter((a) => a === '-i').length, 1);
    const graph = valueOf(args, '-filter_complex').split(';');
    assert.equal(graph[0], '[0:v:0]fps=29.97,format=yuv420p,scale=1920:1080:flags=bicubic,split=2[v0][c0]');
    assert.equal(graph[1], '[c0]scale=1280:720:flags=bicubic,split=2[v1][c1]');
    assert.equal(graph[4], '[c3]scale=426:240:flags=bicubic,split=2[v4][sbin]');
    // Single frames, no `tile` filter in the pass: its held-back output froze ffmpeg's -progress until the end.
    assert.equal(graph[5], '[sbin]fps=1/2,scale=160:90,setsar=1[sb]');
    assert.ok(!graph.some((g) => g.includes('tile=')));
    ladder.rungs.forEach((_, i) => assert.equal(args[args.indexOf(`[v${i}]`) - 1], '-map'));
  });

  it('fixes the GOP to one segment and disables scene-cut keyframes so rungs cut at the same instants', () => {
    assert.equal(gopFrames(29.97, 4), 120);
    assert.equal(valueOf(args, '-g'), '120');
    assert.equal(valueOf(args, '-keyint_min'), '120');
    assert.equal(valueOf(args, '-sc_threshold'), '0');
  });

  it('sets each rung its own bitrate and VBV, and maps audio once', () => {
    ladder.rungs.forEach((r, i) => {
      assert.equal(valueOf(args, `-b:v:${i}`), String(r.videoBitrate));
      assert.equal(valueOf(args, `-maxrate:v:${i}`), String(r.maxBitrate));
    });
    assert.equal(args.filter((a) => a === '0:a:0').length, 1);
    assert.equal(valueOf(args, '-c:a'), 'aac');
  });

  it('writes DASH with HLS playlists over the same segments, ~4 s, with video and audio adaptation sets', () => {
    assert.equal(valueOf(args, '-f'), 'dash');
    assert.equal(valueOf(args, '-seg_duration'), '4');
    assert.equal(valueOf(args, '-hls_playlist'), '1');
    assert.equal(valueOf(args, '-adaptation_sets'), 'id=0,streams=v id=1,streams=a');
    assert.ok(args.includes('/tmp/out/manifest.mpd'));
    assert.equal(args.at(-1), '/tmp/frames/frame-%05d.jpg');
    assert.ok(args.includes('-xerror'), 'stops at the first decode error');
    assert.equal(valueOf(args, '-progress'), 'pipe:1');
  });

  it('leaves audio out for silent sources and the storyboard when not asked', () => {
    const silent = buildEncodeArgs({ ...plan, audio: null, storyboard: null, strict: false });
    assert.ok(!silent.includes('0:a:0') && !silent.includes('-c:a') && !silent.includes('-xerror'));
    assert.equal(valueOf(silent, '-adaptation_sets'), 'id=0,streams=v');
    assert.match(valueOf(silent, '-filter_complex'), /\[c3\]scale=426:240:flags=bicubic\[v4\]$/);
  });

  it('refuses an empty ladder', () => {
    assert.throws(() => buildEncodeArgs({ ...plan, rungs: [] }));
  });
});

describe('remux, poster and storyboard', () => {
  it('tiles the storyboard frames into one sheet in a pass of its own', () => {
    const args = buildStoryboardSheetArgs({ intervalSeconds: 2, tileWidth: 160, tileHeight: 90, columns: 10, rows: 3, framesDir: '/tmp/frames', file: '/tmp/out/storyboard-001.jpg' });
    assert.equal(valueOf(args, '-i'), '/tmp/frames/frame-%05d.jpg');
    assert.equal(valueOf(args, '-vf'), 'tile=10x3');
    assert.equal(valueOf(args, '-frames:v'), '1');
    assert.equal(args.at(-1), '/tmp/out/storyboard-001.jpg');
  });

  it('stream-copies into the same layout', () => {
    const args = buildRemuxArgs({ input: 'in', outDir: '/o', segmentSeconds: 4, hasAudio: false });
    assert.equal(valueOf(args, '-c'), 'copy');
    assert.ok(!args.includes('0:a:0'));
    assert.equal(valueOf(args, '-f'), 'dash');
  });

  it('picks the poster with the thumbnail filter inside the window, one output per size', () => {
    const args = buildPosterArgs({ input: 'in', startSeconds: 6, spanSeconds: 24, sizes: [{ width: 1280, height: 720, file: 'a.jpg' }, { width: 320, height: 180, file: 'b.jpg' }] });
    assert.equal(valueOf(args, '-ss'), '6.000');
    assert.equal(valueOf(args, '-t'), '24.000');
    assert.match(valueOf(args, '-filter_complex'), /thumbnail=100,.*split=2.*scale=1280:720.*scale=320:180/);
    assert.deepEqual(args.filter((a) => a.endsWith('.jpg')), ['a.jpg', 'b.jpg']);
  });

  it('plans at most 100 storyboard tiles on one sheet and indexes them in WebVTT', () => {
    const long = planStoryboard(3600, 1920, 1080);
    assert.equal(long.intervalSeconds, 36);
    assert.ok(long.tiles <= 100 && long.columns * long.rows >= long.tiles);
    const short = planStoryboard(4, 640, 360);
    assert.deepEqual([short.tiles, short.columns, short.rows, short.tileWidth, short.tileHeight], [4, 4, 1, 160, 90]);
    const vtt = storyboardVtt(planStoryboard(25, 1280, 720), 25, 's.jpg');
    const cues = vtt.split('\n\n').slice(1).filter(Boolean);
    assert.equal(cues.length, 25);
    assert.equal(cues[11], '00:00:11.000 --> 00:00:12.000\ns.jpg#xywh=160,90,160,90');
    assert.equal(vttTime(3725.5), '01:02:05.500');
  });

  it('sizes posters largest first, never upscaled', () => {
    assert.deepEqual(posterSizes(1920, 1080), [{ width: 1280, height: 720 }, { width: 320, height: 180 }]);
    assert.deepEqual(posterSizes(320, 240), [{ width: 320, height: 240 }, { width: 160, height: 120 }]);
    assert.deepEqual(posterSizes(1080, 1920), [{ width: 720, height: 1280 }, { width: 180, height: 320 }]);
  });
});

describe('manifest helpers', () => {
  const master = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=532488,RESOLUTION=320x240,CODECS="avc1.64000d,mp4a.40.2"\nmedia_0.m3u8\n\n#EXT-X-STREAM-INF:BANDWIDTH=332488,RESOLUTION=192x144,CODECS="avc1.64000c"\nmedia_1.m3u8\n';
  it('adds FRAME-RATE to every variant, once', () => {
    const out = withFrameRate(master, 25);
    assert.equal(out.match(/FRAME-RATE=25\.000/g)?.length, 2);
    assert.equal(withFrameRate(out, 25), out);
  });
  it('reads the variants the muxer wrote', () => {
    assert.deepEqual(readVariants(master), [
      { index: 0, bandwidth: 532488, width: 320, height: 240, codecs: 'avc1.64000d,mp4a.40.2' },
      { index: 1, bandwidth: 332488, width: 192, height: 144, codecs: 'avc1.64000c' },
    ]);
  });
});

describe('probe parsing and remux eligibility', () => {
  const raw = {
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10.0', bit_rate: '2000000' },
    streams: [
      { codec_type: 'video', codec_name: 'h264', profile: 'High', pix_fmt: 'yuv420p', width: 1920, height: 1080, avg_frame_rate: '30000/1001', side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] },
      { codec_type: 'audio', codec_name: 'aac', channels: 2 },
    ],
  };
  it('honours rotation: a rotated landscape-coded phone video displays as portrait', () => {
    const p = parseProbe(raw);
    assert.equal(p.rotation, 90);
    assert.deepEqual([p.displayWidth, p.displayHeight], [1080, 1920]);
    assert.ok(Math.abs(p.frameRate - 29.97) < 0.01);
    assert.equal(canRemux(p), false, 'rotated sources are re-encoded upright, not copied');
    assert.equal(canRemux({ ...p, rotation: 0, displayWidth: 1920, displayHeight: 1080 }), true);
  });
  it('recognises audio-only and still images', () => {
    const audio = parseProbe({ format: { format_name: 'mp3', duration: '3' }, streams: [{ codec_type: 'audio', codec_name: 'mp3' }] });
    assert.equal(audio.hasVideo, false);
    const png = parseProbe({ format: { format_name: 'png_pipe' }, streams: [{ codec_type: 'video', codec_name: 'png', width: 10, height: 10 }] });
    assert.equal(png.isStillImage, true);
    const cover = parseProbe({ format: { format_name: 'mp3', duration: '3' }, streams: [{ codec_type: 'audio', codec_name: 'mp3' }, { codec_type: 'video', codec_name: 'mjpeg', disposition: { attached_pic: 1 } }] });
    assert.equal(cover.hasVideo, false, 'album art is not video');
  });
});

describe('ProgressParser', () => {
  it('turns -progress blocks into progress, across chunk boundaries', () => {
    const p = new ProgressParser();
    assert.deepEqual(p.push('frame=10\nout_time_us=1500000\nspeed=2.5x\nprog'), []);
    const [a] = p.push('ress=continue\nout_time_us=4000000\nprogress=end\n').slice(0, 1);
    assert.deepEqual(a, { outTimeSeconds: 1.5, speed: 2.5, done: false });
    assert.equal(percentOf(a, 3), 50);
    assert.equal(percentOf({ outTimeSeconds: 9, speed: null, done: false }, 3), 100);
    assert.equal(percentOf({ outTimeSeconds: 0, speed: null, done: true }, 3), 100);
  });
  it('ignores N/A values', () => {
    const [a] = new ProgressParser().push('out_time_us=N/A\nspeed=N/A\nprogress=continue\n');
    assert.deepEqual(a, { outTimeSeconds: 0, speed: null, done: false });
  });
});

describe('top rung stream copy', () => {
  it('copies the source as rung 0 and encodes the rest from a cascade that starts at rung 1', () => {
    const args = buildEncodeArgs({ ...plan, copyTopRung: true });
    assert.equal(args[args.indexOf('0:v:0') - 1], '-map');
    assert.equal(valueOf(args, '-c:v:0'), 'copy');
    assert.ok(!args.includes('-b:v:0') && !args.includes('-profile:v:0'));
    assert.equal(valueOf(args, '-profile:v:1'), 'high');
    assert.match(valueOf(args, '-filter_complex'), /^\[0:v:0\]fps=29\.97,format=yuv420p,scale=1280:720:flags=bicubic,split=2\[v1\]\[c1\]/);
  });

  it('needs a keyframe on every segment boundary', () => {
    assert.equal(keyframesAligned([0, 1, 2, 3, 4, 5, 6, 7, 8], 9, 4, 30), true);
    assert.equal(keyframesAligned([0, 4.01, 8], 9, 4, 30), true, 'within half a frame');
    assert.equal(keyframesAligned([0, 5, 8], 9, 4, 30), false);
    assert.equal(keyframesAligned([0], 3.9, 4, 30), true, 'a single segment');
    assert.equal(keyframesAligned([], 9, 4, 30), false);
  });

  it('only when the source is that rung exactly, in browser-safe H.264 within its peak bitrate', () => {
    const src = parseProbe({
      format: { format_name: 'mov', duration: '9', bit_rate: '2100000' },
      streams: [{ codec_type: 'video', codec_name: 'h264', profile: 'High', pix_fmt: 'yuv420p', width: 1280, height: 720, avg_frame_rate: '30/1', bit_rate: '2000000' }],
    });
    const top = { width: 1280, height: 720, frameRate: 30, maxBitrate: 3_000_000 };
    assert.equal(canCopyTopRung(src, top), true);
    assert.equal(canCopyTopRung(src, { ...top, maxBitrate: 1_000_000 }), false, 'too heavy');
    assert.equal(canCopyTopRung({ ...src, frameRate: 60 }, top), false, 'rate differs');
    assert.equal(canCopyTopRung({ ...src, pixelFormat: 'yuv420p10le' }, top), false);
    assert.equal(canCopyTopRung({ ...src, rotation: 90 }, top), false);
  });
});
