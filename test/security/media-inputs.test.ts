import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { constants, createWriteStream, openSync, closeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, signUp } from '../helpers/graphql';
import { uploadFile } from '../helpers/uploads';
import { buildEncodeArgs, buildPosterArgs, buildRemuxArgs, buildStoryboardSheetArgs } from '../../src/media/ffmpeg-args';
import { buildDecodeCheckArgs, buildKeyframeArgs, buildProbeArgs } from '../../src/media/input-args';

/**
 * Canaries: an HTTP server that counts requests, and a FIFO that notices being opened. A payload
 * that makes ffprobe/ffmpeg open either has escaped its input.
 */
async function canaries(dir: string) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fifo = path.join(dir, 'canary.mp4');
  await promisify(execFile)('mkfifo', [fifo]);
  let fifoOpened = false;
  // Opening the write end blocks (in libuv's pool) until something opens the read end.
  const writer = createWriteStream(fifo);
  writer.on('open', () => {
    fifoOpened = true;
    writer.end();
  });
  writer.on('error', () => undefined);
  return {
    base,
    fifo,
    hits,
    fifoOpened: () => fifoOpened,
    async close() {
      // Releases the pending open if nothing took the bait.
      if (!fifoOpened) {
        const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
        await new Promise<void>((r) => writer.once('close', () => r()));
        closeSync(fd);
      }
      server.close();
    },
  };
}

const payloads = (base: string, fifo: string): Record<string, string> => ({
  hls: `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n${base}/hls.ts\n#EXTINF:2,\nfile:${fifo}\n#EXT-X-ENDLIST\n`,
  'hls-file': `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:${fifo}\n#EXT-X-ENDLIST\n`,
  dash:
    '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">' +
    `<BaseURL>${base}/dash/</BaseURL><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="100000" width="320" height="240" codecs="avc1.42c01e">` +
    '<BaseURL>video.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>\n',
  concat: `ffconcat version 1.0\nfile '${base}/concat.mp4'\nfile 'file:${fifo}'\n`,
});

for (const driver of ['local', 's3'] as const) {
  describe(`security: ffprobe reads only the upload it was given (${driver} storage; issue 9, item 6)`, () => {
    let stack: TestStack;
    let dir: string;
    let canary: Awaited<ReturnType<typeof canaries>>;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'vp-sec-media-'));
      canary = await canaries(dir);
      stack = await startStack({ env: driver === 'local' ? { STORAGE_DRIVER: 'local', DATA_DIR: path.join(dir, 'data') } : {} });
    });
    after(async () => {
      await stack.close();
      await canary.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses HLS, DASH, concat and file: payloads named .mp4 without opening anything they name', async () => {
      const { token } = await signUp(stack.url);
      const answers: [string, Awaited<ReturnType<typeof uploadFile>>][] = [];
      for (const [name, text] of Object.entries(payloads(canary.base, canary.fifo))) {
        answers.push([name, await uploadFile(stack.url, token, { filename: `${name}.mp4`, body: Buffer.from(text) }, { title: name })]);
      }
      assert.deepEqual(canary.hits, [], 'no URL named in a payload was fetched');
      assert.equal(canary.fifoOpened(), false, 'no file named in a payload was opened');
      for (const [name, r] of answers) {
        assert.equal(errorCode(r), 'UNSUPPORTED_MEDIA', `${name}: ${JSON.stringify(r.errors)}`);
        assert.doesNotMatch(r.errors?.[0]?.message ?? '', /0x[0-9a-f]+|whitelist/, `${name}: no ffmpeg internals in the reason`);
      }
    });
  });
}

describe('security: every ffmpeg/ffprobe input is pinned (issue 9, item 6)', () => {
  const pinned = (args: string[], input: string) => {
    const i = args.indexOf(input);
    const opts = args.slice(0, i);
    assert.ok(opts.includes('-protocol_whitelist'), `no protocol whitelist before ${input}: ${args.join(' ')}`);
    return { protocols: opts[opts.indexOf('-protocol_whitelist') + 1], formats: opts[opts.indexOf('-format_whitelist') + 1] };
  };
  it('restricts protocols to what each input needs and demuxers to the accepted containers', () => {
    for (const input of ['/tmp/w/source', 'http://s3:7480/b/k?X-Amz-Signature=1', 'https://s3.example/b/k?sig=1']) {
      for (const args of [buildProbeArgs(input), buildDecodeCheckArgs(input, 10), buildKeyframeArgs(input)]) {
        const { protocols, formats } = pinned(args, input);
        assert.equal(protocols, input.startsWith('https:') ? 'https,tls,tcp' : input.startsWith('http:') ? 'http,tcp' : 'file');
        assert.match(formats ?? '', /(^|,)mov(,|$)/);
        assert.doesNotMatch(formats ?? '', /hls|dash|concat|image2(,|$)/);
      }
    }
    const src = '/tmp/w/source';
    const rung = { name: 240, width: 426, height: 240, frameRate: 25, videoBitrate: 400_000, maxBitrate: 600_000 };
    const plan = { input: src, outDir: '/tmp/w/out', rungs: [rung], frameRate: 25, segmentSeconds: 4, audio: null, preset: 'veryfast', storyboard: null, strict: false, rateControl: { mode: 'fixed' as const } };
    for (const args of [
      buildEncodeArgs(plan),
      buildRemuxArgs({ input: src, outDir: '/tmp/w/out', segmentSeconds: 4, hasAudio: false }),
      buildPosterArgs({ input: src, startSeconds: 0, spanSeconds: 1, sizes: [{ width: 320, height: 180, file: '/tmp/w/p.jpg' }] }),
    ]) {
      const { protocols, formats } = pinned(args, src);
      assert.equal(protocols, 'file');
      assert.match(formats ?? '', /(^|,)mov(,|$)/);
    }
    const sheet = buildStoryboardSheetArgs({ framesDir: '/tmp/w/frames', file: '/tmp/w/sb.jpg', intervalSeconds: 1, tileWidth: 160, tileHeight: 90, columns: 10, rows: 10 });
    assert.equal(pinned(sheet, '/tmp/w/frames/frame-%05d.jpg').protocols, 'file');
  });
});
