import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { CaptionEntity, VideoEntity } from '../../src/db/entities';
import { CaptionKind } from '../../src/domain/caption-kind';
import { VideoStatus } from '../../src/domain/video-status';
import { unguessableName } from '../../src/storage/keys';
import { CaptionPublisher } from '../../src/videos/caption-publisher';
import { MemoryStorage } from '../helpers/fakes';

const ID = '11111111-2222-4333-8444-555555555555';
const GEN = `videos/${ID}/public/g1`;
const MASTER = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=320x240,CODECS="avc1.42c00d"\nmedia_0.m3u8\n';
const MPD = '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><Period id="0"><AdaptationSet id="0" contentType="video"/></Period></MPD>';

function setup(opts: { captions?: string[]; loseFirst?: number } = {}) {
  const storage = new MemoryStorage();
  storage.objects.set(`${GEN}/master.m3u8`, Buffer.from(MASTER));
  storage.objects.set(`${GEN}/manifest.mpd`, Buffer.from(MPD));
  const video = { id: ID, status: VideoStatus.READY, hlsKey: `${GEN}/master.m3u8`, dashKey: `${GEN}/manifest.mpd`, durationSeconds: 6 } as VideoEntity;
  const captions = (opts.captions ?? ['en']).map((language) => ({ id: language, videoId: ID, language, label: language, kind: CaptionKind.SUBTITLES, fileKey: `videos/${ID}/public/captions/${language}-x.vtt` }) as CaptionEntity);
  let losses = opts.loseFirst ?? 0;
  const switches: { hlsKey: string; dashKey: string }[] = [];
  const edits: string[] = [];
  const publisher = new CaptionPublisher({
    videos: { findById: async () => ({ ...video }) as VideoEntity },
    captions: { forVideos: async () => captions },
    storage,
    lifecycle: {
      setManifests: async (_id, keys, guard) => {
        if (guard.published !== video.hlsKey || losses-- > 0) return false;
        Object.assign(video, keys);
        switches.push(keys);
        return true;
      },
      edit: async (id) => void edits.push(id),
    },
    logger: pino({ level: 'silent' }),
  });
  return { storage, video, captions, publisher, switches, edits };
}

describe('caption publisher', () => {
  it('writes a revision of both manifests and one playlist per track beside the transcode’s, and switches to it', async () => {
    const s = setup({ captions: ['en', 'fr'] });
    await s.publisher.refresh(ID);
    assert.equal(s.switches.length, 1);
    const rev = /master-([0-9a-z]+)\.m3u8$/.exec(s.video.hlsKey!)?.[1];
    assert.ok(rev && rev.length > 32, 'an unguessable revision name');
    assert.deepEqual((await s.storage.list(`${GEN}/`)).map((k) => k.slice(GEN.length + 1)).sort(), [
      'manifest.mpd', `manifest-${rev}.mpd`, 'master.m3u8', `master-${rev}.m3u8`, `subs-${rev}-en.m3u8`, `subs-${rev}-fr.m3u8`,
    ].sort());
    assert.match(s.storage.objects.get(`${GEN}/subs-${rev}-en.m3u8`)!.toString(), /\n\.\.\/captions\/en-x\.vtt\n/);
    assert.equal(s.storage.objects.get(`${GEN}/master.m3u8`)!.toString(), MASTER, 'the base is never changed');
    assert.deepEqual(s.edits, []);
  });

  it('starts again after losing a race, removing what the lost attempt wrote', async () => {
    const s = setup({ loseFirst: 2 });
    await s.publisher.refresh(ID);
    assert.equal(s.switches.length, 1);
    const files = await s.storage.list(`${GEN}/`);
    assert.equal(files.filter((k) => /master-/.test(k)).length, 1, files.join(','));
  });

  it('goes back to the transcode’s manifests without tracks, and sweeps revisions replaced over 10 minutes ago', async () => {
    const s = setup({ captions: [] });
    const old = unguessableName(Date.now() - 11 * 60_000);
    const recent = unguessableName(Date.now() - 60_000);
    for (const r of [old, recent]) {
      s.storage.objects.set(`${GEN}/master-${r}.m3u8`, Buffer.from(MASTER));
      s.storage.objects.set(`${GEN}/subs-${r}-en.m3u8`, Buffer.from('x'));
    }
    s.video.hlsKey = `${GEN}/master-${recent}.m3u8`;
    await s.publisher.refresh(ID);
    assert.deepEqual(s.switches, [{ hlsKey: `${GEN}/master.m3u8`, dashKey: `${GEN}/manifest.mpd` }]);
    const left = await s.storage.list(`${GEN}/`);
    assert.ok(!left.some((k) => k.includes(old)), 'the old revision is swept');
    assert.ok(left.some((k) => k.includes(recent)), 'the one just replaced stays for players that loaded it');
  });

  it('with nothing to rewrite (nothing published, or already in step), still drops cached reads through the lifecycle', async () => {
    const s = setup({ captions: [] });
    await s.publisher.refresh(ID);
    s.video.hlsKey = null;
    await s.publisher.refresh(ID);
    assert.deepEqual([s.switches, s.edits], [[], [ID, ID]]);
  });
});
