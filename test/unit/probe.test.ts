import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMedia } from '../../src/media/media-policy';
import { parseProbe, parseRate, ProbeError, type ProbeResult } from '../../src/media/probe';

// Trimmed from real ffprobe 5.1 output (`-print_format json -show_format -show_streams`).
const phoneClip = {
  streams: [
    {
      index: 0, codec_name: 'hevc', profile: 'Main', codec_type: 'video', width: 1920, height: 1080, pix_fmt: 'yuv420p',
      r_frame_rate: '30/1', avg_frame_rate: '30000/1001', bit_rate: '8000000',
      side_data_list: [{ side_data_type: 'Display Matrix', displaymatrix: '...', rotation: -90 }],
    },
    { index: 1, codec_name: 'aac', profile: 'LC', codec_type: 'audio', sample_rate: '48000', channels: 2, bit_rate: '192000' },
  ],
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '12.345000', size: '12345678', bit_rate: '8000123' },
};

const mp3WithCover = {
  streams: [
    { index: 0, codec_name: 'mp3', codec_type: 'audio', sample_rate: '44100', channels: 2 },
    { index: 1, codec_name: 'mjpeg', codec_type: 'video', width: 500, height: 500, disposition: { attached_pic: 1 } },
  ],
  format: { format_name: 'mp3', duration: '200.1' },
};

describe('parseProbe', () => {
  it('reads streams, format, frame rate and rotation of a phone clip', () => {
    const p = parseProbe(JSON.stringify(phoneClip));
    assert.equal(p.formatName, 'mov,mp4,m4a,3gp,3g2,mj2');
    assert.equal(p.duration, 12.345);
    assert.equal(p.bitrate, 8000123);
    assert.deepEqual(
      [p.videoCodec, p.videoProfile, p.pixelFormat, p.width, p.height, p.rotation, Number(p.frameRate.toFixed(3)), p.videoBitrate],
      ['hevc', 'Main', 'yuv420p', 1920, 1080, 90, 29.97, 8000000],
    );
    assert.deepEqual([p.audioCodec, p.audioChannels, p.audioSampleRate], ['aac', 2, 48000]);
    assert.equal(p.hasVideo && p.hasAudio && !p.isStillImage, true);
    // Rotated 90°: viewers see it portrait.
    assert.deepEqual([p.displayWidth, p.displayHeight], [1080, 1920]);
  });

  it('reads the legacy rotate tag clockwise', () => {
    const p = parseProbe({ streams: [{ codec_type: 'video', codec_name: 'h264', width: 640, height: 480, tags: { rotate: '270' } }], format: { format_name: 'mp4' } });
    assert.equal(p.rotation, 270);
    assert.deepEqual([p.displayWidth, p.displayHeight], [480, 640]);
  });

  it('does not take cover art for a video stream', () => {
    const p = parseProbe(mp3WithCover);
    assert.equal(p.hasVideo, false);
    assert.equal(p.videoCodec, null);
    assert.equal(p.audioCodec, 'mp3');
    assert.equal(p.displayWidth, 0);
  });

  it('treats N/A and missing values as unknown', () => {
    const p = parseProbe({ streams: [{ codec_type: 'video', codec_name: 'vp9', width: 320, height: 240, avg_frame_rate: '0/0', bit_rate: 'N/A' }], format: { format_name: 'matroska,webm', duration: 'N/A' } });
    assert.equal(p.duration, 0);
    assert.equal(p.frameRate, 0);
    assert.equal(p.videoBitrate, null);
    assert.equal(p.hasAudio, false);
  });

  it('refuses output without a format', () => {
    assert.throws(() => parseProbe({ streams: [] }), ProbeError);
    assert.throws(() => parseProbe('{}'), ProbeError);
  });

  it('parses rational rates', () => {
    assert.equal(parseRate('25/1'), 25);
    assert.equal(parseRate('24000/1001').toFixed(3), '23.976');
    assert.equal(parseRate('0/0'), 0);
    assert.equal(parseRate('30'), 30);
    assert.equal(parseRate(undefined), 0);
  });
});

describe('checkMedia', () => {
  const ok = parseProbe(phoneClip);
  const withVideo = (patch: Partial<ProbeResult>): ProbeResult => ({ ...ok, ...patch });

  it('accepts a common phone clip', () => {
    assert.deepEqual(checkMedia(ok), { ok: true });
  });

  it('refuses audio-only files, images and unknown containers with a reason', () => {
    assert.deepEqual(checkMedia(parseProbe(mp3WithCover)), { ok: false, reason: 'Unsupported file type (mp3); upload a video such as MP4, MOV, MKV or WebM' });
    assert.equal(checkMedia({ ...ok, hasVideo: false, videoCodec: null }).ok, false);
    assert.equal(checkMedia({ ...ok, formatName: 'png_pipe' }).ok, false);
    assert.equal(checkMedia({ ...ok, formatName: 'gif' }).ok, false);
  });

  it('refuses unsupported codecs, odd sizes and missing or huge durations', () => {
    assert.match((checkMedia(withVideo({ videoCodec: 'png' })) as { reason: string }).reason, /video codec png/);
    assert.equal(checkMedia({ ...ok, audioCodec: 'dts_weird' }).ok, false);
    assert.equal(checkMedia(withVideo({ width: 8, height: 8 })).ok, false);
    assert.equal(checkMedia(withVideo({ width: 10000 })).ok, false);
    assert.equal(checkMedia({ ...ok, duration: 0 }).ok, false);
    assert.equal(checkMedia({ ...ok, duration: 13 * 3600 }).ok, false);
  });
});
