import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deserialize, jitteredTtl } from '../../src/cache/video-cache';
import { MediaSigner } from '../../src/playback/media-signer';
import { fileType } from '../../src/media/file-types';
import { cacheControl, notModified, rewriteVtt, safeDeliveryPath } from '../../src/playback/delivery-rules';
import { rewriteHls, rewriteMpd, withQuery } from '../../src/playback/manifest-rewrite';
import { effectiveMaxHeight } from '../../src/playback/rungs';
import { Visibility } from '../../src/domain/video-status';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",DEFAULT=YES,URI="audio/playlist.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2",AUDIO="a"
1080p/playlist.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="a"
720p/playlist.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="a"
360p/playlist.m3u8
`;
const MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.0,
seg-00001.m4s
#EXTINF:4.0,
https://elsewhere.example/seg-00002.m4s
#EXT-X-ENDLIST
`;
const MPD = `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
  <Period>
    <AdaptationSet contentType="video" maxWidth="1920" maxHeight="1080">
      <SegmentTemplate initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg-$Number%05d$.m4s" startNumber="1" duration="4" />
      <Representation id="1080p" bandwidth="5000000" width="1920" height="1080" codecs="avc1.640028" />
      <Representation id="720p" bandwidth="2500000" width="1280" height="720" codecs="avc1.64001f" />
    </AdaptationSet>
    <AdaptationSet contentType="audio"><Representation id="a" bandwidth="128000"><BaseURL>audio/</BaseURL><SegmentBase indexRange="0-99"><Initialization sourceURL="a.mp4"/></SegmentBase></Representation></AdaptationSet>
  </Period>
</MPD>`;

describe('rung hints', () => {
  it('picks the tallest rung under the limit, never nothing', () => {
    const ladder = [1080, 720, 480, 360, 240];
    assert.equal(effectiveMaxHeight(ladder, {}), null);
    assert.equal(effectiveMaxHeight(ladder, { maxHeight: 2160 }), null);
    assert.equal(effectiveMaxHeight(ladder, { maxHeight: 800 }), 720);
    assert.equal(effectiveMaxHeight(ladder, { saveData: true }), 360);
    assert.equal(effectiveMaxHeight(ladder, { saveData: true, maxHeight: 300 }), 240);
    assert.equal(effectiveMaxHeight(ladder, { maxHeight: 100 }), 240);
    assert.equal(effectiveMaxHeight([], { maxHeight: 100 }), null);
  });
});

describe('manifest rewriting', () => {
  it('drops HLS variants above maxHeight and tags every relative URI', () => {
    const out = rewriteHls(MASTER, { maxHeight: 720, query: 'token=t' });
    assert.doesNotMatch(out, /1080p/);
    assert.match(out, /^720p\/playlist\.m3u8\?token=t$/m);
    assert.match(out, /^360p\/playlist\.m3u8\?token=t$/m);
    assert.equal(out.match(/audio\/playlist\.m3u8\?token=t"/g)?.length, 1, 'shared audio rendition tagged once');
    assert.match(rewriteHls(MASTER, { maxHeight: 100, query: null }), /360p\/playlist\.m3u8/);
  });

  it('tags media playlist segments and the init section, not absolute URIs', () => {
    const out = rewriteHls(MEDIA, { maxHeight: null, query: 'token=t' });
    assert.match(out, /#EXT-X-MAP:URI="init\.mp4\?token=t"/);
    assert.match(out, /^seg-00001\.m4s\?token=t$/m);
    assert.match(out, /^https:\/\/elsewhere\.example\/seg-00002\.m4s$/m);
  });

  it('drops DASH representations above maxHeight and tags templates and source URLs', () => {
    const out = rewriteMpd(MPD, { maxHeight: 720, query: 'token=t' });
    assert.doesNotMatch(out, /height="1080"/);
    assert.match(out, /height="720"/);
    assert.match(out, /maxHeight="720"/);
    assert.match(out, /media="\$RepresentationID\$\/seg-\$Number%05d\$\.m4s\?token=t"/);
    assert.match(out, /initialization="\$RepresentationID\$\/init\.mp4\?token=t"/);
    assert.match(out, /sourceURL="a\.mp4\?token=t"/);
    assert.match(out, /<BaseURL>audio\/<\/BaseURL>/);
    assert.match(rewriteMpd(MPD, { maxHeight: 10, query: null }), /height="720"/, 'the smallest stays');
  });

  it('tags storyboard images in WebVTT', () => {
    const vtt = 'WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nsprite-0.jpg#xywh=0,0,160,90\n';
    assert.match(rewriteVtt(vtt, 'token=t', withQuery), /^sprite-0\.jpg\?token=t#xywh=0,0,160,90$/m);
    assert.equal(withQuery('a.m4s?x=1', 'token=t'), 'a.m4s?x=1&token=t');
  });
});

describe('media tokens', () => {
  const signer = new MediaSigner('s'.repeat(32));
  const id = '11111111-1111-4111-8111-111111111111';
  it('accepts its own tokens until they expire, for that video only', () => {
    const t = signer.sign(id, new Date(Date.now() + 60_000));
    assert.equal(signer.verify(id, t), 'ok');
    assert.equal(signer.verify(id, t, new Date(Date.now() + 61_000)), 'expired');
    assert.equal(signer.verify('22222222-2222-4222-8222-222222222222', t), 'invalid');
    assert.equal(new MediaSigner('o'.repeat(32)).verify(id, t), 'invalid');
    const [exp, mac] = t.split('.');
    assert.equal(signer.verify(id, `${Number(exp) + 10}.${mac}`), 'invalid');
    for (const bad of ['', 'x', `${exp}.`, `${exp}.${mac}x`, `-1.${mac}`]) assert.equal(signer.verify(id, bad), 'invalid');
  });
});

describe('delivery rules', () => {
  it('accepts plain relative paths only', () => {
    assert.equal(safeDeliveryPath(['720p', 'seg-00001.m4s']), '720p/seg-00001.m4s');
    for (const bad of [['..', 'source'], ['.'], ['a', ''], ['..%2fsource'], ['a/b'], ['a\\b'], ['%2e%2e'], ['x..y'], ['.hidden'], ['a\u0000'], []]) {
      assert.equal(safeDeliveryPath(bad), null, JSON.stringify(bad));
    }
  });

  it('types and cache policies', () => {
    assert.equal(fileType('a/master.m3u8')?.kind, 'manifest');
    assert.equal(fileType('x.m4s')?.contentType, 'video/iso.segment');
    assert.equal(fileType('source'), null);
    assert.equal(cacheControl('media', Visibility.PUBLIC, 10, null), 'public, max-age=31536000, immutable');
    assert.equal(cacheControl('manifest', Visibility.UNLISTED, 10, null), 'public, max-age=10');
    assert.equal(cacheControl('media', Visibility.PRIVATE, 10, 300), 'private, max-age=300');
    assert.equal(cacheControl('manifest', Visibility.PRIVATE, 10, 300), 'private, max-age=10');
  });

  it('If-None-Match', () => {
    assert.equal(notModified('"a"', '"a"'), true);
    assert.equal(notModified('W/"a", "b"', '"a"'), true);
    assert.equal(notModified('*', '"a"'), true);
    assert.equal(notModified('"b"', '"a"'), false);
    assert.equal(notModified(undefined, '"a"'), false);
  });
});

describe('video cache values', () => {
  it('jitters TTLs within bounds', () => {
    assert.equal(jitteredTtl(100, 0.1, () => 0), 90);
    assert.equal(jitteredTtl(100, 0.1, () => 1), 110);
    assert.equal(jitteredTtl(1, 0.5, () => 0), 1);
  });

  it('revives dates', () => {
    const rec = deserialize(JSON.stringify({ video: { id: 'x', createdAt: '2025-01-01T00:00:00.000Z', readyAt: null }, renditions: [{ height: 720 }] }));
    assert.ok(rec.video.createdAt instanceof Date);
    assert.equal(rec.video.readyAt, null);
    assert.equal(rec.renditions[0]?.height, 720);
  });
});
