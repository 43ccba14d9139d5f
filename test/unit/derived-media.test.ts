import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Visibility } from '../../src/domain/video-status';
import { AppError } from '../../src/errors';
import { jobIdFor, jobIdOf } from '../../src/jobs/job-types';
import { buildFrameArgs, buildImageArgs, buildImageProbeArgs, buildMp4Args } from '../../src/media/derived-args';
import { pipeInput } from '../../src/media/ffmpeg-runner';
import { parseImageProbe } from '../../src/media/image-probe';
import { audioPlaylistUri, keyBeside, parseMediaPlaylist, segmentAt } from '../../src/media/playlists';
import { downloadCacheControl } from '../../src/playback/delivery-rules';
import { downloadFilename } from '../../src/playback/downloads';
import { MediaSigner } from '../../src/playback/media-signer';
import { MediaUrls } from '../../src/playback/media-urls';
import { rungForWidth } from '../../src/playback/rungs';
import { parseThumbnailQuery, snapTimeMs, thumbnailSize } from '../../src/playback/thumbnail-rules';
import { downloadHeightOf, generationKey, generationOf, sourceKey } from '../../src/storage/keys';
import { canDownload } from '../../src/videos/video-access';

const ID = '0b6f0d1e-5b2a-4c41-9d4e-1f2a3b4c5d6e';
const valueOf = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : 'not an AppError';
  }
  return 'no error';
};

describe('derived media: argument builders', () => {
  it('remuxes a rung and its audio from pipes into a fast-start MP4, copying streams', () => {
    const args = buildMp4Args({ hasAudio: true, output: '/tmp/x/out.mp4' });
    assert.deepEqual(args.filter((a, i) => args[i - 1] === '-i'), [pipeInput(0), pipeInput(1)]);
    assert.deepEqual([pipeInput(0), pipeInput(1), pipeInput(2)], ['pipe:0', 'pipe:3', 'pipe:4']);
    assert.equal(valueOf(args, '-c'), 'copy');
    assert.equal(valueOf(args, '-movflags'), '+faststart');
    assert.deepEqual(args.slice(-3), ['-f', 'mp4', '/tmp/x/out.mp4']);
    assert.ok(!buildMp4Args({ hasAudio: false, output: 'o.mp4' }).includes('1:a:0'), 'a silent video maps no audio');
  });

  it('pins every input to its protocol and demuxer, before the input it guards', () => {
    const piped = [buildMp4Args({ hasAudio: true, output: 'o.mp4' }), buildFrameArgs({ offsetSeconds: 1, outputs: [{ file: 'a.jpg', width: 320, height: 180, format: 'jpeg' }] })];
    for (const args of piped) {
      args.forEach((a, i) => {
        if (a !== '-i') return;
        assert.deepEqual(args.slice(i - 4, i), ['-protocol_whitelist', 'pipe', '-f', 'mp4']);
      });
    }
    const image = buildImageArgs({ input: '/tmp/p/upload', demuxer: 'png_pipe', outputs: [{ file: 'a.jpg', width: 320, height: 180, format: 'jpeg' }] });
    assert.deepEqual(image.slice(image.indexOf('-i') - 4, image.indexOf('-i') + 2), ['-protocol_whitelist', 'file', '-f', 'png_pipe', '-i', '/tmp/p/upload']);
    assert.ok(image.includes('-xerror'), 'a corrupt byte fails the decode');
    const probe = buildImageProbeArgs('/tmp/p/upload');
    assert.equal(valueOf(probe, '-format_whitelist'), 'jpeg_pipe,png_pipe,webp_pipe');
    assert.equal(valueOf(probe, '-protocol_whitelist'), 'file');
  });

  it('takes one frame at the offset into every output, scaled, as JPEG or WebP', () => {
    const args = buildFrameArgs({
      offsetSeconds: 2.5,
      outputs: [
        { file: '/t/a.jpg', width: 640, height: 360, format: 'jpeg' },
        { file: '/t/a.webp', width: 640, height: 360, format: 'webp' },
      ],
    });
    assert.equal(valueOf(args, '-filter_complex'), '[0:v:0]trim=start=2.500,setsar=1,split=2[s0][s1];[s0]scale=640:360:flags=lanczos[o0];[s1]scale=640:360:flags=lanczos[o1]');
    assert.equal(args.filter((a) => a === '-frames:v').length, 2);
    assert.equal(args[args.indexOf('/t/a.webp') - 7], 'libwebp');
    assert.equal(args[args.indexOf('/t/a.jpg') - 7], 'mjpeg');
  });
});

describe('derived media: playlists and keys', () => {
  const MEDIA = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-MAP:URI="init-0.mp4"\n#EXTINF:4.000000,\nseg-0-00001.m4s\n#EXTINF:4.000000,\nseg-0-00002.m4s\n#EXTINF:2.000000,\nseg-0-00003.m4s\n#EXT-X-ENDLIST\n';
  const MASTER = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_2",DEFAULT=YES,URI="media_2.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=931045,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2",AUDIO="group_A1"\nmedia_0.m3u8\n';

  it('lists a rung’s init and segments with their start times, and finds the segment of a time', () => {
    const files = parseMediaPlaylist(MEDIA);
    assert.equal(files.init, 'init-0.mp4');
    assert.deepEqual(files.segments.map((s) => [s.uri, s.start]), [['seg-0-00001.m4s', 0], ['seg-0-00002.m4s', 4], ['seg-0-00003.m4s', 8]]);
    assert.equal(files.duration, 10);
    assert.equal(segmentAt(files, 0).uri, 'seg-0-00001.m4s');
    assert.equal(segmentAt(files, 4).uri, 'seg-0-00002.m4s');
    assert.equal(segmentAt(files, 9.99).uri, 'seg-0-00003.m4s');
    assert.equal(segmentAt(files, 50).uri, 'seg-0-00003.m4s', 'past the end: the last one');
  });

  it('finds the audio playlist, and none for a silent video', () => {
    assert.equal(audioPlaylistUri(MASTER), 'media_2.m3u8');
    assert.equal(audioPlaylistUri('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x2\nmedia_0.m3u8\n'), null);
  });

  it('resolves playlist URIs beside the playlist and refuses any that leave its folder', () => {
    assert.equal(keyBeside(`videos/${ID}/public/g1/media_0.m3u8`, 'seg-0-00001.m4s'), `videos/${ID}/public/g1/seg-0-00001.m4s`);
    for (const bad of ['../x.m4s', 'a/../../x', '/etc/passwd', 'https://evil.example/x.m4s', 'file:///etc/passwd', 'x.m4s?y=1']) {
      assert.throws(() => keyBeside(`videos/${ID}/public/g1/media_0.m3u8`, bad), /Unexpected URI/, bad);
    }
  });

  it('places what is made from a generation inside it, and tells downloads by their path', () => {
    assert.equal(generationOf(ID, `videos/${ID}/public/mz3k9a1b2c/media_0.m3u8`), 'mz3k9a1b2c');
    assert.equal(generationOf(ID, `videos/${ID}/public/media_0.m3u8`), '');
    assert.equal(generationOf(ID, `videos/${ID}/source`), null);
    assert.equal(generationOf(ID, sourceKey(ID)), null);
    assert.equal(generationKey(ID, 'g1', 'downloads/720p.mp4'), `videos/${ID}/public/g1/downloads/720p.mp4`);
    assert.equal(generationKey(ID, '', 'downloads/720p.mp4'), `videos/${ID}/public/downloads/720p.mp4`);
    assert.equal(downloadHeightOf('g1/downloads/720p.mp4'), 720);
    assert.equal(downloadHeightOf('downloads/240p.mp4'), 240);
    for (const other of ['g1/init-0.mp4', 'g1/downloads/720.mp4', 'g1/poster-640x360.jpg', 'downloads/p.mp4']) assert.equal(downloadHeightOf(other), null, other);
  });

  it('gives one download job per rung and generation, and keeps the old ids of the other jobs', () => {
    assert.equal(jobIdOf('video.download', { videoId: ID, height: 720, generation: 'g1' }), `download-${ID}-g1-720`);
    assert.notEqual(jobIdOf('video.download', { videoId: ID, height: 720, generation: 'g2' }), jobIdOf('video.download', { videoId: ID, height: 720, generation: 'g1' }));
    assert.equal(jobIdOf('video.transcode', { videoId: ID }), jobIdFor('video.transcode', ID));
    assert.equal(jobIdFor('video.purge', ID), `purge-${ID}`);
    assert.ok(!jobIdOf('video.download', { videoId: ID, height: 720, generation: '' }).includes(':'), 'BullMQ refuses ids with a colon');
  });
});

describe('derived media: thumbnail rules', () => {
  it('takes widths from the fixed set and times as plain seconds', () => {
    assert.deepEqual(parseThumbnailQuery({ time: '12.5', width: '320' }), { time: 12.5, width: 320 });
    assert.deepEqual(parseThumbnailQuery({}), { time: 0, width: 320 });
    for (const q of [{ width: '300' }, { width: '0' }, { width: '1280.0' }, { time: '-1' }, { time: '1e3' }, { time: 'NaN' }, { time: ['1', '2'] }, { width: ['320', '640'] }]) {
      assert.equal(code(() => parseThumbnailQuery(q)), 'BAD_USER_INPUT', JSON.stringify(q));
    }
  });

  it('clamps to the video and rounds to a step that keeps about two thousand frames per video at most', () => {
    assert.equal(snapTimeMs(12.4, 60), 12500);
    assert.equal(snapTimeMs(12.2, 60), 12000);
    assert.equal(snapTimeMs(-5, 60), 0);
    assert.equal(snapTimeMs(999, 59.9), 59900, 'past the end: the end');
    assert.equal(snapTimeMs(1234.4, 7200), 1235000, 'a two-hour film: 5 s steps');
    for (const duration of [10, 600, 1000, 3600, 7200, 36_000]) {
      const frames = new Set(Array.from({ length: 20_000 }, (_, i) => snapTimeMs((i / 20_000) * duration, duration)));
      assert.ok(frames.size <= 2001, `${duration} s: ${frames.size} distinct times`);
    }
  });

  it('takes a frame from the narrowest rung at least as wide, never upscaling', () => {
    const rungs = [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }, { width: 640, height: 360 }, { width: 426, height: 240 }];
    assert.equal(rungForWidth(rungs, 320)?.width, 426);
    assert.equal(rungForWidth(rungs, 640)?.width, 640);
    assert.equal(rungForWidth(rungs, 1280)?.width, 1280);
    assert.equal(rungForWidth(rungs.slice(2), 1280)?.width, 640, 'none wide enough: the widest');
    assert.equal(rungForWidth([], 320), null);
    assert.deepEqual(thumbnailSize({ width: 426, height: 240 }, 320), { width: 320, height: 180 });
    assert.deepEqual(thumbnailSize({ width: 640, height: 360 }, 1280), { width: 640, height: 360 });
    assert.deepEqual(thumbnailSize({ width: 360, height: 640 }, 160), { width: 160, height: 284 }, 'portrait');
  });
});

describe('derived media: download rules', () => {
  it('lets the owner download always and others only when allowed', () => {
    assert.equal(canDownload({ ownerId: 'u1', allowDownload: false }, 'u1'), true);
    assert.equal(canDownload({ ownerId: 'u1', allowDownload: false }, 'u2'), false);
    assert.equal(canDownload({ ownerId: 'u1', allowDownload: false }, null), false);
    assert.equal(canDownload({ ownerId: 'u1', allowDownload: true }, null), true);
  });

  it('names the file after the title, without what breaks file systems or headers', () => {
    assert.equal(downloadFilename('My holiday', 720), 'My holiday-720p.mp4');
    assert.equal(downloadFilename('a/b\\c:d*e?f"g<h>i|j', 240), 'a b c d e f g h i j-240p.mp4');
    assert.equal(downloadFilename('..\u0000\r\n', 240), 'video-240p.mp4');
    assert.equal(downloadFilename('  Été à Zürich  ', 1080), 'Été à Zürich-1080p.mp4');
    assert.equal(downloadFilename('x'.repeat(300), 360).length, 100 + '-360p.mp4'.length);
  });

  it('keeps owner-only and private downloads out of shared caches, and others there for an hour', () => {
    assert.equal(downloadCacheControl(Visibility.PUBLIC, false, null), 'public, max-age=3600');
    assert.equal(downloadCacheControl(Visibility.UNLISTED, false, null), 'public, max-age=3600');
    assert.equal(downloadCacheControl(Visibility.PUBLIC, true, 300), 'private, max-age=300');
    assert.equal(downloadCacheControl(Visibility.PRIVATE, false, 120), 'private, max-age=120');
  });

  it('signs owner URLs with a scope no media token passes for, and keeps old media tokens valid', () => {
    const signer = new MediaSigner('s'.repeat(40));
    const at = new Date(Date.now() + 60_000);
    const owner = signer.sign(ID, at, 'owner');
    const media = signer.sign(ID, at);
    assert.equal(signer.verify(ID, owner, undefined, 'owner'), 'ok');
    assert.equal(signer.verify(ID, owner), 'invalid', 'an owner token is not a media token');
    assert.equal(signer.verify(ID, media, undefined, 'owner'), 'invalid', 'nor the reverse');
    assert.equal(signer.verify(ID, media), 'ok');
    const urls = new MediaUrls('http://x', signer, 600);
    assert.match(urls.file({ id: ID, visibility: Visibility.PUBLIC }, 'g/downloads/720p.mp4', { owner: true }), /\?token=\d+\./);
    assert.equal(urls.file({ id: ID, visibility: Visibility.PUBLIC }, 'g/downloads/720p.mp4'), `http://x/videos/${ID}/g/downloads/720p.mp4`);
    assert.equal(urls.expiresAt({ id: ID, visibility: Visibility.PUBLIC }), null);
    assert.ok(urls.expiresAt({ id: ID, visibility: Visibility.PUBLIC }, { owner: true }));
  });
});

describe('derived media: image probe', () => {
  const probe = (stream: Record<string, unknown>, format: string, extra: Record<string, unknown>[] = []) =>
    JSON.stringify({ streams: [{ codec_type: 'video', width: 800, height: 600, ...stream }, ...extra], format: { format_name: format } });

  it('accepts one JPEG, PNG or WebP picture read by its own demuxer', () => {
    assert.deepEqual(parseImageProbe(probe({ codec_name: 'png' }, 'png_pipe')), { codec: 'png', demuxer: 'png_pipe', width: 800, height: 600 });
    assert.equal(parseImageProbe(probe({ codec_name: 'mjpeg' }, 'jpeg_pipe')).demuxer, 'jpeg_pipe');
    assert.equal(parseImageProbe(probe({ codec_name: 'webp' }, 'webp_pipe')).demuxer, 'webp_pipe');
  });

  it('refuses other codecs, mismatched demuxers, extra streams and sizeless pictures', () => {
    const bad = [
      probe({ codec_name: 'gif' }, 'gif'),
      probe({ codec_name: 'png' }, 'jpeg_pipe'),
      probe({ codec_name: 'mjpeg' }, 'mov,mp4,m4a,3gp,3g2,mj2'),
      probe({ codec_name: 'png' }, 'png_pipe', [{ codec_type: 'audio', codec_name: 'aac' }]),
      probe({ codec_name: 'png', width: 0 }, 'png_pipe'),
      JSON.stringify({ streams: [], format: { format_name: 'png_pipe' } }),
    ];
    for (const json of bad) assert.throws(() => parseImageProbe(json), /image|size/, json);
  });
});
