import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors';
import { legacySourceKey, sourceKey, sourceKeyOf, sourcePrefix, storedPrefixes, videoIdOfKey, videoPrefix, VIDEOS_ROOT } from '../../src/storage/keys';
import { uploadIdOf, uploadIdOfVideo, videoIdOfUpload } from '../../src/storage/tus-store';
import { ProgressThrottle, UploadMeter, uploadPercent } from '../../src/videos/upload-meter';
import { checkDeclaredSize, sanitizeFilename } from '../../src/videos/upload-rules';
import { detailsPatch, normaliseText } from '../../src/videos/video-details';
import { toUploadError } from '../../src/videos/upload.service';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : 'other';
  }
  return 'none';
};

describe('sanitizeFilename', () => {
  it('drops paths, control and bidi characters', () => {
    assert.equal(sanitizeFilename('../../etc/passwd'), 'passwd');
    assert.equal(sanitizeFilename('C:\\Users\\me\\clip.mp4'), 'clip.mp4');
    assert.equal(sanitizeFilename('a\u0000b\u0007c\r\n\u202Ed.mp4'), 'abcd.mp4');
    assert.equal(sanitizeFilename('..hidden.mp4'), 'hidden.mp4');
  });
  it('returns null for nothing usable and caps the length', () => {
    assert.equal(sanitizeFilename(''), null);
    assert.equal(sanitizeFilename(null), null);
    assert.equal(sanitizeFilename('dir/'), null);
    assert.equal(sanitizeFilename('\u0001\u0002'), null);
    assert.equal(sanitizeFilename(`${'x'.repeat(400)}.mp4`)?.length, 255);
  });
});

describe('declared sizes and text', () => {
  it('accepts whole sizes within the limit only', () => {
    assert.equal(code(() => checkDeclaredSize(100, 100)), 'none');
    assert.equal(code(() => checkDeclaredSize(101, 100)), 'PAYLOAD_TOO_LARGE');
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) assert.equal(code(() => checkDeclaredSize(bad, 2 ** 62)), 'BAD_USER_INPUT', String(bad));
  });
  it('trims titles, refuses blank ones and nulls empty descriptions', () => {
    assert.deepEqual(normaliseText('  Hi\u0007 there ', '  '), { title: 'Hi  there', description: null });
    assert.equal(code(() => normaliseText(' \t ', null)), 'BAD_USER_INPUT');
  });
});

describe('video details on update', () => {
  it('follows the creation rules: control characters out of titles, empty descriptions null, limits checked', () => {
    assert.deepEqual(detailsPatch({ title: ' New\u0000 title\u001b ', description: ' line one\nline\u0007 two ' }), { title: 'New  title', description: 'line one\nline two' });
    assert.deepEqual(detailsPatch({ description: '   ' }), { description: null });
    assert.deepEqual(detailsPatch({ title: null, visibility: null }), {});
    assert.equal(code(() => detailsPatch({ title: '\u0007 ' })), 'BAD_USER_INPUT');
    assert.equal(code(() => detailsPatch({ title: 'x'.repeat(201) })), 'BAD_USER_INPUT');
    assert.equal(code(() => detailsPatch({ description: 'x'.repeat(5001) })), 'BAD_USER_INPUT');
  });
});

describe('UploadMeter', () => {
  it('counts and hashes what passes through', async () => {
    const data = [Buffer.from('hello '), Buffer.from('world')];
    const seen: number[] = [];
    const meter = new UploadMeter(100, (n) => seen.push(n));
    const out: Buffer[] = [];
    await pipeline(Readable.from(data), meter, async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) out.push(c);
    });
    assert.equal(Buffer.concat(out).toString(), 'hello world');
    assert.equal(meter.bytes, 11);
    assert.deepEqual(seen, [6, 11]);
    assert.equal(meter.digest(), createHash('sha256').update('hello world').digest('hex'));
  });
  it('fails with PAYLOAD_TOO_LARGE as soon as the limit is passed', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += 1;
        yield Buffer.alloc(10);
      }
    }
    const meter = new UploadMeter(25);
    await assert.rejects(pipeline(Readable.from(endless()), meter, async (src: AsyncIterable<Buffer>) => {
      for await (const _ of src) void _;
    }), (err: unknown) => err instanceof AppError && err.code === 'PAYLOAD_TOO_LARGE');
    assert.ok(pulled < 10, `stopped reading after ${pulled} chunks`);
  });
});

describe('progress helpers', () => {
  it('throttles to one event per interval', () => {
    let now = 0;
    const t = new ProgressThrottle(100, () => now);
    assert.equal(t.take(), true);
    now = 50;
    assert.equal(t.take(), false);
    now = 100;
    assert.equal(t.take(), true);
    now = 150;
    assert.equal(t.take(), false);
  });
  it('computes percent only against a known total', () => {
    assert.equal(uploadPercent(50, 200), 25);
    assert.equal(uploadPercent(1, 3), 33.3);
    assert.equal(uploadPercent(10, null), 0);
    assert.equal(uploadPercent(300, 200), 100);
  });
});

describe('tus upload ids and upload errors', () => {
  it('maps video ids to source keys and back, refusing anything else', () => {
    const id = '0b6f0d1e-5b2a-4c41-9d4e-1f2a3b4c5d6e';
    assert.equal(uploadIdOf(id), `sources/${id}/original`);
    assert.equal(videoIdOfUpload(uploadIdOf(id)), id);
    assert.equal(videoIdOfUpload(`videos/${id}/source`), id, 'an upload opened before sources/');
    assert.equal(uploadIdOfVideo({ id, sourceKey: `videos/${id}/source` }), `videos/${id}/source`);
    assert.equal(uploadIdOfVideo({ id, sourceKey: null }), uploadIdOf(id));
    assert.equal(videoIdOfUpload(`sources/${id}/original.info`), null);
    assert.equal(videoIdOfUpload(`videos/${id}/source.info`), null);
    assert.equal(videoIdOfUpload(`videos/${id}/original`), null);
    assert.equal(videoIdOfUpload('videos/../etc/source'), null);
    assert.equal(videoIdOfUpload('sources/../etc/original'), null);
  });
  it('keeps originals outside videos/ and attributes keys of either root to their video', () => {
    const id = '0b6f0d1e-5b2a-4c41-9d4e-1f2a3b4c5d6e';
    assert.ok(!sourceKey(id).startsWith(VIDEOS_ROOT), 'a CDN origin may expose videos/ whole');
    assert.ok(sourceKey(id).startsWith(sourcePrefix(id)));
    assert.deepEqual(storedPrefixes(id), [videoPrefix(id), sourcePrefix(id)]);
    assert.ok(storedPrefixes(id).some((p) => legacySourceKey(id).startsWith(p)), 'deleting a video removes an original of either layout');
    assert.equal(sourceKeyOf({ id, sourceKey: legacySourceKey(id) }), legacySourceKey(id));
    assert.equal(sourceKeyOf({ id, sourceKey: null }), sourceKey(id));
    for (const key of [sourceKey(id), `${sourceKey(id)}.info`, legacySourceKey(id), `videos/${id}/public/g/master.m3u8`]) assert.equal(videoIdOfKey(key), id, key);
    for (const key of ['videos/x', 'other/x/y', `sources${id}/original`]) assert.equal(videoIdOfKey(key), null, key);
  });
  it('turns parser and stream failures into contract errors', () => {
    const as = (e: unknown) => (toUploadError(e, 10) as AppError).code;
    assert.equal(as(Object.assign(new Error('too big'), { status: 413 })), 'PAYLOAD_TOO_LARGE');
    assert.equal(as(Object.assign(new Error('File missing in the request.'), { status: 400 })), 'BAD_USER_INPUT');
    assert.equal(as(Object.assign(new Error('gone'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })), 'BAD_USER_INPUT');
    assert.ok(!(toUploadError(new Error('S3 down'), 10) instanceof AppError), 'our own failures stay internal');
  });
});
