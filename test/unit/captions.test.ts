import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import * as HLS from 'hls-parser';
import { CaptionFileError, toWebVtt } from '../../src/media/caption-file';
import { captionMediaPlaylist, hlsMasterWithCaptions, mpdWithCaptions, type CaptionTrack } from '../../src/media/caption-manifests';
import { rewriteHls, rewriteMpd } from '../../src/playback/manifest-rewrite';
import { canonicalLanguage, cleanLabel } from '../../src/videos/caption-rules';

const refused = (input: string | Buffer, kind: 'unrecognised' | 'invalid', message?: RegExp) =>
  assert.throws(
    () => toWebVtt(typeof input === 'string' ? Buffer.from(input) : input),
    (err: unknown) => err instanceof CaptionFileError && err.kind === kind && (!message || message.test(err.message)),
  );

describe('caption files → canonical WebVTT', () => {
  it('keeps WebVTT cue markup, settings and ids; drops header lines, NOTE and STYLE; escapes text', () => {
    const out = toWebVtt(Buffer.from('\uFEFFWEBVTT - title\nKind: captions\n\nSTYLE\n::cue { color: red }\n\nNOTE hi\n\n1\n00:00:01.000 --> 00:00:02.000 line:10% align:start\n<v.loud Bob>Hi</v> <c.x>&lt;3</c> <ruby>漢<rt>kan</rt></ruby> & co\n'));
    assert.equal(out.format, 'vtt');
    assert.equal(out.cues, 1);
    assert.equal(out.vtt, 'WEBVTT\n\n1\n00:01.000 --> 00:02.000 align:start line:10%\n<v.loud Bob>Hi</v> <c.x>&lt;3</c> <ruby>漢<rt>kan</rt></ruby> &amp; co\n\n');
  });

  it('sorts cues given out of order', () => {
    const out = toWebVtt(Buffer.from('WEBVTT\n\n00:05.000 --> 00:06.000\nb\n\n00:01.000 --> 00:02.000\na\n'));
    assert.match(out.vtt, /a\n\n00:05\.000 --> 00:06\.000\nb/);
  });

  it('converts SRT: commas, CRLF, <b>/<i>/<u> of any case kept, <font> and {\\an8} dropped, stray < and & escaped', () => {
    const out = toWebVtt(Buffer.from('1\r\n00:00:01,000 --> 00:00:02,500\r\n<FONT color=red>{\\an8}<B>a</B></FONT> < b & c\r\nline two\r\n\r\n2\r\n01:00:00,000 --> 01:00:01,000\r\n<u>x</u>\r\n'));
    assert.equal(out.format, 'srt');
    assert.equal(out.vtt, 'WEBVTT\n\n00:01.000 --> 00:02.500\n<b>a</b> &lt; b &amp; c\nline two\n\n1:00:00.000 --> 1:00:01.000\n<u>x</u>\n\n');
  });

  it('refuses what is not UTF-8 caption text, and caption files with errors (with where)', () => {
    refused(Buffer.from([0xff, 0xfe, 0x57, 0x00]), 'unrecognised', /UTF-8/);
    refused('WEBVTT\n\n00:01.000 --> 00:02.000\nok\0\n', 'unrecognised');
    refused('hello there', 'unrecognised');
    refused('WEBVTT\n\n', 'invalid', /no cues/);
    refused('WEBVTT\n\n00:02.000 --> 00:01.000\nx\n', 'invalid', /line 3/);
    refused('WEBVTT\n\n00:01.000 --> 00:02.000\n<span>x</span>\n', 'invalid', /Incorrect start tag/);
    refused('WEBVTT\n\n00:01.000 --> 00:02.000\n<b>unclosed\n', 'invalid', /end tag/);
    refused('WEBVTT\n\nREGION\nid:r\n\n00:01.000 --> 00:02.000\nx\n', 'invalid');
    refused('1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:04,000\n<script>x</script>\n', 'invalid', /cue at 00:00:03,000/);
  });
});

describe('caption track rules', () => {
  it('canonicalises BCP 47 tags and refuses others', () => {
    assert.equal(canonicalLanguage(' EN-us '), 'en-US');
    assert.equal(canonicalLanguage('zh-hant-tw'), 'zh-Hant-TW');
    assert.equal(canonicalLanguage('iw'), 'he');
    for (const bad of ['', 'en_US', 'x', '123', 'i-klingon', 'a'.repeat(40)]) assert.throws(() => canonicalLanguage(bad), /BCP 47/, bad);
  });

  it('labels: trimmed, 1 to 100 characters, no control characters or double quotes', () => {
    assert.equal(cleanLabel('  English\n(US) '), 'English (US)');
    for (const bad of ['', '   ', 'a'.repeat(101), 'say "hi"', 'bell\u0007']) assert.throws(() => cleanLabel(bad), /label/, bad);
  });
});

const MASTER = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_2",DEFAULT=YES,URI="media_2.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=796102,RESOLUTION=320x240,CODECS="avc1.42c00d,mp4a.40.2",AUDIO="group_A1"\nmedia_0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=71106,RESOLUTION=160x120,CODECS="avc1.42c00b,mp4a.40.2",AUDIO="group_A1"\nmedia_1.m3u8\n';
const MPD = '<?xml version="1.0" encoding="utf-8"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6.0S">\n\t<Period id="0" start="PT0.0S">\n\t\t<AdaptationSet id="0" contentType="video" maxHeight="240"><Representation id="0" mimeType="video/mp4" bandwidth="765232" width="320" height="240"><SegmentTemplate initialization="init-$RepresentationID$.m4s" media="c-$RepresentationID$-$Number%05d$.m4s"/></Representation><Representation id="1" mimeType="video/mp4" bandwidth="306900" width="160" height="120"><SegmentTemplate initialization="init-$RepresentationID$.m4s" media="c-$RepresentationID$-$Number%05d$.m4s"/></Representation></AdaptationSet>\n\t\t<AdaptationSet id="1" contentType="audio"><Representation id="2" mimeType="audio/mp4" bandwidth="69000"/></AdaptationSet>\n\t</Period>\n</MPD>\n';
const TRACKS: CaptionTrack[] = [
  { language: 'en', label: 'English', kind: 'SUBTITLES', playlistUri: 'subs-r-en.m3u8', fileUri: '../captions/en-1.vtt' },
  { language: 'en-GB', label: 'English', kind: 'CAPTIONS', playlistUri: 'subs-r-en-GB.m3u8', fileUri: '../captions/en-GB-1.vtt' },
];
const parseMpd = (text: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['AdaptationSet', 'Representation'].includes(n) }).parse(text) as {
    MPD: { Period: { AdaptationSet: { id: string; mimeType?: string; lang?: string; Label?: string; Role?: { value: string }; Representation: { id: string; BaseURL?: string }[] }[] } };
  };

describe('caption tracks in the manifests', () => {
  it('HLS: one SUBTITLES rendition per track in group "subs" on every variant, unique names, SDH characteristics for CAPTIONS', () => {
    const master = HLS.parse(hlsMasterWithCaptions(MASTER, TRACKS));
    assert.ok(master.isMasterPlaylist);
    for (const v of master.variants) {
      assert.deepEqual(v.subtitles.map((s) => [s.groupId, s.language, s.name, s.uri, !!s.characteristics]), [
        ['subs', 'en', 'English (en)', 'subs-r-en.m3u8', false],
        ['subs', 'en-GB', 'English (en-GB)', 'subs-r-en-GB.m3u8', true],
      ]);
      assert.equal(v.audio[0]?.uri, 'media_2.m3u8', 'audio untouched');
    }
    const again = HLS.parse(hlsMasterWithCaptions(hlsMasterWithCaptions(MASTER, TRACKS), TRACKS.slice(0, 1)));
    assert.ok(again.isMasterPlaylist);
    assert.deepEqual(again.variants[0]?.subtitles.map((s) => s.name), ['English'], 'replaced, not added to');
    const media = HLS.parse(captionMediaPlaylist(6.02, '../captions/en-1.vtt'));
    assert.ok(!media.isMasterPlaylist);
    assert.deepEqual([media.targetDuration, media.playlistType, media.endlist, media.segments.map((s) => [s.uri, s.duration])], [7, 'VOD', true, [['../captions/en-1.vtt', 6.02]]]);
  });

  it('DASH: one text/vtt AdaptationSet per track with lang, Role, Label and the file as BaseURL; new ids', () => {
    const sets = parseMpd(mpdWithCaptions(MPD, TRACKS)).MPD.Period.AdaptationSet;
    assert.deepEqual(sets.map((s) => s.id), ['0', '1', '2', '3']);
    const text = sets.filter((s) => s.mimeType === 'text/vtt');
    assert.deepEqual(text.map((s) => [s.lang, s.Role?.value, s.Label, s.Representation[0]?.BaseURL]), [
      ['en', 'subtitle', 'English (en)', '../captions/en-1.vtt'],
      ['en-GB', 'caption', 'English (en-GB)', '../captions/en-GB-1.vtt'],
    ]);
    assert.equal(parseMpd(mpdWithCaptions(mpdWithCaptions(MPD, TRACKS), [])).MPD.Period.AdaptationSet.length, 2, 'replaced, not added to');
  });

  it('delivery rewrites keep the tracks and sign their URIs; a maxHeight limit keeps them too', () => {
    const master = HLS.parse(rewriteHls(hlsMasterWithCaptions(MASTER, TRACKS), { maxHeight: 120, query: 'token=T' }));
    assert.ok(master.isMasterPlaylist);
    assert.equal(master.variants.length, 1);
    assert.deepEqual(master.variants[0]?.subtitles.map((s) => s.uri), ['subs-r-en.m3u8?token=T', 'subs-r-en-GB.m3u8?token=T']);
    const sets = parseMpd(rewriteMpd(mpdWithCaptions(MPD, TRACKS), { maxHeight: 120, query: 'token=T' })).MPD.Period.AdaptationSet;
    assert.deepEqual(sets.filter((s) => s.mimeType === 'text/vtt').map((s) => s.Representation[0]?.BaseURL), ['../captions/en-1.vtt?token=T', '../captions/en-GB-1.vtt?token=T']);
    assert.equal(sets[0]?.Representation.length, 1, 'video rungs still filtered');
  });
});
