import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import * as HLS from 'hls-parser';
import { randomUUID } from 'node:crypto';
import { CaptionEntity, VideoEntity } from '../../src/db/entities';
import { CaptionKind } from '../../src/domain/caption-kind';
import { VideoWriteRepository } from '../../src/db/repositories/video-write.repository';
import { VideoStatus, Visibility } from '../../src/domain/video-status';
import { publicPrefix } from '../../src/storage/keys';
import { VideoLifecycle } from '../../src/videos/video-lifecycle';
import { startStack, type TestStack } from '../helpers/env';
import { errorCode, gql, signUp, type GqlResult } from '../helpers/graphql';
import { enqueue, makeClip, mediaDir, queueVideo, reencode, seedVideo, waitForJob, waitForStatus, type MediaDir } from '../helpers/media';
import { multipartMutation } from '../helpers/uploads';

interface CaptionView { id: string; language: string; label: string; kind: string; url: string }
interface VideoView { captions: CaptionView[]; playback: { hlsUrl: string; dashUrl: string } | null }

const FIELDS = 'captions{ id language label kind url } playback{ hlsUrl dashUrl }';
const ADD = `mutation($id:ID!,$input:CaptionInput!,$file:Upload!){ addCaption(videoId:$id,input:$input,file:$file){ ${FIELDS} } }`;
const REMOVE = `mutation($id:ID!,$lang:String!){ removeCaption(videoId:$id,language:$lang){ ${FIELDS} } }`;
const VIDEO = `query($id:ID!){ video(id:$id){ ${FIELDS} } }`;
const UPDATE = 'mutation($id:ID!,$input:VideoUpdateInput!){ updateVideo(id:$id,input:$input){ visibility } }';
const MAX_BYTES = 4096;

const VTT = `WEBVTT
Kind: captions

NOTE written by hand

intro
00:00.500 --> 00:02.000 align:start
<v Ada>Hello</v> &amp; <i>welcome</i>

00:02.500 --> 00:05.000
Tom & Jerry <b>second</b> cue
`;
const SRT = '1\r\n00:00:00,500 --> 00:00:02,000\r\n<font color="#ff0">Bonjour</font> <I>à tous</I>\r\n\r\n2\r\n00:00:02,500 --> 00:00:05,000\r\n{\\an8}[musique]\r\n';

const mpdParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['Period', 'AdaptationSet', 'Representation'].includes(name) });
type MpdSet = { mimeType?: string; contentType?: string; lang?: string; Role?: { value: string }; Label?: string; Representation: { id: string; BaseURL?: string }[] };

describe('captions: addCaption / removeCaption, in both manifests', () => {
  let stack: TestStack;
  let media: MediaDir;
  let owner: { token: string; userId: string };
  let videoId: string;

  const add = (input: Record<string, unknown>, file: string | { filename: string; body: Buffer }, token: string | null = owner.token, id = videoId) =>
    multipartMutation<{ addCaption: VideoView }>(stack.url, token ?? undefined, ADD, { id, input }, typeof file === 'string' ? { filename: 'subs.vtt', body: Buffer.from(file) } : file);
  const remove = (lang: string, token = owner.token, id = videoId) => gql<{ removeCaption: VideoView }>(stack.url, REMOVE, { id, lang }, token);
  const view = async (id = videoId, token = owner.token) => {
    const r = await gql<{ video: VideoView }>(stack.url, VIDEO, { id }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.video;
  };
  const ok = <T>(r: GqlResult<T>): T => {
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!;
  };
  const text = async (url: string, status = 200) => {
    const res = await fetch(url);
    assert.equal(res.status, status, url);
    return res.text();
  };
  const captionFiles = async (id = videoId) => (await stack.api.infra.storage.list(`${publicPrefix(id)}captions/`)).sort();
  const row = (id = videoId) => stack.api.infra.ds.getRepository(VideoEntity).findOneByOrFail({ id });

  /** The master's subtitle renditions (the same on every variant), each with its playlist's one segment URL. */
  const hlsTracks = async (v: VideoView) => {
    const master = HLS.parse(await text(v.playback!.hlsUrl));
    assert.ok(master.isMasterPlaylist);
    const groups = master.variants.map((variant) => variant.subtitles.map((s) => `${s.groupId}:${s.language}:${s.name}`).join(','));
    assert.equal(new Set(groups).size, 1, `every variant names the same group: ${groups.join(' | ')}`);
    return Promise.all(
      (master.variants[0]?.subtitles ?? []).map(async (s) => {
        const playlistUrl = new URL(s.uri!, v.playback!.hlsUrl).toString();
        const playlist = HLS.parse(await text(playlistUrl));
        assert.ok(!playlist.isMasterPlaylist);
        assert.equal(playlist.segments.length, 1);
        return { language: s.language, name: s.name, groupId: s.groupId, characteristics: s.characteristics, playlistUrl, fileUrl: new URL(playlist.segments[0]!.uri, playlistUrl).toString() };
      }),
    );
  };
  const dashTracks = async (v: VideoView) => {
    const mpd = mpdParser.parse(await text(v.playback!.dashUrl)) as { MPD: { Period: { AdaptationSet: MpdSet[] }[] } };
    return mpd.MPD.Period[0]!.AdaptationSet.filter((s) => s.mimeType === 'text/vtt').map((s) => ({
      lang: s.lang,
      role: s.Role?.value,
      label: s.Label,
      fileUrl: new URL(s.Representation[0]!.BaseURL!, v.playback!.dashUrl).toString(),
    }));
  };

  before(async () => {
    stack = await startStack({ worker: true, env: { SEGMENT_SECONDS: '2', CAPTION_MAX_BYTES: String(MAX_BYTES) } });
    media = await mediaDir();
    const clip = await makeClip(path.join(media.dir, 'in.mp4'), { size: '320x180', seconds: 5 });
    owner = await signUp(stack.url, 'Owner');
    videoId = await queueVideo(stack, owner.userId, clip);
    assert.equal(await waitForJob(stack, videoId), 'completed');
  });
  after(async () => {
    await stack?.close();
    await media?.cleanup();
  });

  it('adds a WebVTT track to a READY video: listed, stored as canonical WebVTT, in the HLS master and the DASH MPD', async () => {
    const before = (await view()).playback!;
    const v = ok(await add({ language: 'EN-us', label: 'English', kind: 'SUBTITLES' }, VTT)).addCaption;
    assert.deepEqual(v.captions.map((c) => [c.language, c.label, c.kind]), [['en-US', 'English', 'SUBTITLES']]);
    assert.notEqual(v.playback!.hlsUrl, before.hlsUrl, 'new manifests, seen at once (the metadata cache was invalidated)');
    assert.deepEqual(await view(), v);

    const res = await fetch(v.captions[0]!.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/vtt; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', 'a replaced track gets a new name');
    const stored = await res.text();
    assert.equal(
      stored,
      'WEBVTT\n\nintro\n00:00.500 --> 00:02.000 align:start\n<v Ada>Hello</v> &amp; <i>welcome</i>\n\n00:02.500 --> 00:05.000\nTom &amp; Jerry <b>second</b> cue\n\n',
      'header lines and NOTE dropped, the bare & escaped',
    );

    const [hls] = await hlsTracks(v);
    assert.deepEqual([hls?.groupId, hls?.language, hls?.name, hls?.characteristics], ['subs', 'en-US', 'English', undefined]);
    assert.equal(hls!.fileUrl, v.captions[0]!.url, 'the WebVTT playlist names the stored file');
    assert.deepEqual(await dashTracks(v), [{ lang: 'en-US', role: 'subtitle', label: 'English', fileUrl: v.captions[0]!.url }]);
    assert.equal((await fetch(before.hlsUrl)).status, 200, 'the transcode’s own manifests are kept (the base of every revision)');
  });

  it('converts an SRT file (CAPTIONS) to WebVTT: font tags and override codes dropped, both tracks in both manifests', async () => {
    const v = ok(await add({ language: 'fr', label: 'Français (SDH)', kind: 'CAPTIONS' }, { filename: 'sous-titres.srt', body: Buffer.from(SRT) })).addCaption;
    assert.deepEqual(v.captions.map((c) => [c.language, c.kind]), [['en-US', 'SUBTITLES'], ['fr', 'CAPTIONS']]);
    const fr = v.captions.find((c) => c.language === 'fr')!;
    assert.equal(await text(fr.url), 'WEBVTT\n\n00:00.500 --> 00:02.000\nBonjour <i>à tous</i>\n\n00:02.500 --> 00:05.000\n[musique]\n\n');
    const hls = await hlsTracks(v);
    assert.deepEqual(hls.map((t) => [t.language, t.name]), [['en-US', 'English'], ['fr', 'Français (SDH)']]);
    assert.match(hls[1]!.characteristics ?? '', /public\.accessibility\.transcribes-spoken-dialog/);
    assert.equal(hls[1]!.fileUrl, fr.url);
    const dash = await dashTracks(v);
    assert.deepEqual(dash.map((t) => [t.lang, t.role, t.label]), [['en-US', 'subtitle', 'English'], ['fr', 'caption', 'Français (SDH)']]);
    assert.equal(dash[1]!.fileUrl, fr.url);
  });

  it('refuses invalid files and callers with coded errors, storing nothing and changing nothing', async () => {
    const files = await captionFiles();
    const kept = await view();
    const published = (await row()).hlsKey;
    const stranger = await signUp(stack.url, 'Stranger');
    const uploading = await seedVideo(stack, { ownerId: owner.userId, status: VideoStatus.UPLOADING });
    const privateOne = await seedVideo(stack, { ownerId: owner.userId, visibility: Visibility.PRIVATE });
    const en = { language: 'de', label: 'Deutsch', kind: 'SUBTITLES' };
    const cases: [string, Promise<GqlResult<unknown>>, string, RegExp?][] = [
      ['plain text', add(en, 'just some words\n'), 'UNSUPPORTED_MEDIA'],
      ['UTF-16', add(en, { filename: 'u16.vtt', body: Buffer.from(`\uFEFF${VTT}`, 'utf16le') }), 'UNSUPPORTED_MEDIA', /UTF-8/],
      ['a binary file', add(en, { filename: 'x.srt', body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]) }), 'UNSUPPORTED_MEDIA'],
      ['an end before the start', add(en, 'WEBVTT\n\n00:03.000 --> 00:01.000\nbackwards\n'), 'BAD_USER_INPUT', /line 3/],
      ['markup beyond WebVTT’s', add(en, 'WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>\n'), 'BAD_USER_INPUT', /Incorrect start tag/],
      ['an SRT tag beyond SRT’s', add(en, { filename: 'x.srt', body: Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:04,000\n<img src=x>\n') }), 'BAD_USER_INPUT', /00:00:03,000/],
      ['no cues', add(en, 'WEBVTT\n\nNOTE nothing here\n'), 'BAD_USER_INPUT'],
      ['an empty file', add(en, ''), 'BAD_USER_INPUT'],
      ['a file over CAPTION_MAX_BYTES', add(en, `WEBVTT\n\n00:01.000 --> 00:02.000\n${'x'.repeat(MAX_BYTES)}\n`), 'PAYLOAD_TOO_LARGE'],
      ['not a language tag', add({ ...en, language: 'en_US' }, VTT), 'BAD_USER_INPUT'],
      ['a label with a double quote', add({ ...en, label: 'The "best"' }, VTT), 'BAD_USER_INPUT'],
      ['an empty label', add({ ...en, label: '  ' }, VTT), 'BAD_USER_INPUT'],
      ['another user', add(en, VTT, stranger.token), 'FORBIDDEN'],
      ['another user’s private video', add(en, VTT, stranger.token, privateOne), 'NOT_FOUND'],
      ['signed out', add(en, VTT, null), 'UNAUTHENTICATED'],
      ['a video still uploading', add(en, VTT, owner.token, uploading), 'BAD_USER_INPUT'],
      ['removal by another user', remove('fr', stranger.token), 'FORBIDDEN'],
      ['removal of a language without a track', remove('de'), 'NOT_FOUND'],
      ['removal with a malformed language', remove('??'), 'BAD_USER_INPUT'],
    ];
    for (const [what, call, code, message] of cases) {
      const r = await call;
      assert.equal(errorCode(r), code, `${what}: ${JSON.stringify(r.errors)}`);
      if (message) assert.match(r.errors![0]!.message, message, what);
    }
    assert.deepEqual(await captionFiles(), files, 'nothing stored');
    assert.deepEqual(await captionFiles(uploading), []);
    assert.deepEqual(await view(), kept);
    assert.equal((await row()).hlsKey, published, 'the manifests were not switched');
  });

  it('replaces the track of the same language (canonical tag) and removes the replaced file', async () => {
    const old = (await view()).captions.find((c) => c.language === 'en-US')!;
    const v = ok(await add({ language: 'en-us', label: 'English (fixed)', kind: 'SUBTITLES' }, 'WEBVTT\n\n00:00.000 --> 00:04.000\nFixed\n')).addCaption;
    assert.deepEqual(v.captions.map((c) => [c.language, c.label]), [['en-US', 'English (fixed)'], ['fr', 'Français (SDH)']]);
    const now = v.captions.find((c) => c.language === 'en-US')!;
    assert.notEqual(now.url, old.url, 'a new immutable name');
    assert.equal((await fetch(old.url)).status, 404, 'the replaced file is gone');
    assert.equal((await captionFiles()).length, 2);
    assert.deepEqual((await hlsTracks(v)).map((t) => t.name), ['English (fixed)', 'Français (SDH)']);
  });

  it('follows the media rules for private videos: signed caption URLs, and tokens on every caption URI of both manifests', async () => {
    ok(await gql(stack.url, UPDATE, { id: videoId, input: { visibility: Visibility.PRIVATE } }, owner.token));
    try {
      const v = await view();
      for (const c of v.captions) {
        assert.ok(new URL(c.url).searchParams.get('token'), 'signed');
        assert.equal((await fetch(c.url)).status, 200);
        const bare = new URL(c.url);
        bare.search = '';
        assert.equal((await fetch(bare)).status, 404, 'not without its token');
      }
      for (const t of await hlsTracks(v)) {
        assert.ok(new URL(t.playlistUrl).searchParams.get('token'));
        assert.ok(new URL(t.fileUrl).searchParams.get('token'));
        assert.equal((await fetch(t.fileUrl)).status, 200);
      }
      for (const t of await dashTracks(v)) {
        assert.ok(new URL(t.fileUrl).searchParams.get('token'), 'the BaseURL of a text set carries the token');
        assert.equal((await fetch(t.fileUrl)).status, 200);
      }
      const stranger = await signUp(stack.url, 'Peeker');
      assert.equal((await gql<{ video: null }>(stack.url, VIDEO, { id: videoId }, stranger.token)).data?.video, null);
    } finally {
      ok(await gql(stack.url, UPDATE, { id: videoId, input: { visibility: Visibility.PUBLIC } }, owner.token));
    }
  });

  it('removes tracks from both manifests and storage; with none left the transcode’s manifests are published again', async () => {
    const fr = (await view()).captions.find((c) => c.language === 'fr')!;
    const v = ok(await remove('FR')).removeCaption;
    assert.deepEqual(v.captions.map((c) => c.language), ['en-US']);
    assert.equal((await fetch(fr.url)).status, 404);
    assert.deepEqual((await hlsTracks(v)).map((t) => t.language), ['en-US']);
    assert.deepEqual((await dashTracks(v)).map((t) => t.lang), ['en-US']);
    assert.equal(errorCode(await remove('fr')), 'NOT_FOUND', 'already gone');

    const none = ok(await remove('en-US')).removeCaption;
    assert.deepEqual(none.captions, []);
    assert.deepEqual(await captionFiles(), []);
    assert.deepEqual(await hlsTracks(none), []);
    assert.deepEqual(await dashTracks(none), []);
    const published = await row();
    assert.match(published.hlsKey!, /\/master\.m3u8$/);
    assert.match(published.dashKey!, /\/manifest\.mpd$/);
  });

  it('keeps tracks added before processing: the transcode publishes them, and a re-encode keeps them', async () => {
    const clip = path.join(media.dir, 'in.mp4');
    const queued = await queueVideo(stack, owner.userId, clip, { enqueue: false });
    const anonymous = async () => (await gql<{ video: { captions: { language: string }[] } }>(stack.url, 'query($id:ID!){ video(id:$id){ captions{ language } } }', { id: queued })).data?.video.captions;
    assert.deepEqual(await anonymous(), [], 'read (and cached) before the change');
    const added = ok(await add({ language: 'es', label: 'Español', kind: 'SUBTITLES' }, VTT, owner.token, queued)).addCaption;
    assert.equal(added.playback, null, 'nothing published yet');
    assert.deepEqual(await anonymous(), [{ language: 'es' }], 'cached reads were dropped, though no manifest changed');
    await enqueue(stack, queued);
    assert.equal(await waitForJob(stack, queued), 'completed');
    const ready = await view(queued);
    const [track] = await hlsTracks(ready);
    assert.equal(track?.language, 'es');
    assert.equal((await dashTracks(ready))[0]?.lang, 'es');

    // A re-encode replaces every generation folder but keeps the caption files, and names them again.
    const files = await captionFiles(queued);
    const first = (await row(queued)).hlsKey!;
    const second = await reencode(stack, queued);
    assert.notEqual(path.dirname(second.hlsKey!), path.dirname(first), 'a new generation');
    assert.match(second.hlsKey!, /\/master-[0-9a-z]+\.m3u8$/, 'with the tracks');
    assert.deepEqual(await captionFiles(queued), files);
    const again = await view(queued);
    assert.deepEqual((await hlsTracks(again)).map((t) => t.fileUrl), [again.captions[0]!.url]);
  });

  it('switches manifests only while the one they were made from is still published (the guard in SQL)', async () => {
    const lifecycle = new VideoLifecycle({
      repo: new VideoWriteRepository(stack.api.infra.ds),
      cache: { invalidate: async () => undefined },
      events: { publish: () => undefined },
      videoEvents: { emit: async () => undefined, emitFor: async () => undefined },
      edge: { purgeVideo: async () => undefined },
      deletions: { announceDeleted: () => undefined },
    });
    const current = await row();
    const other = { hlsKey: `${publicPrefix(videoId)}x/master-1.m3u8`, dashKey: `${publicPrefix(videoId)}x/manifest-1.mpd` };
    assert.equal(await lifecycle.setManifests(videoId, other, { published: `${publicPrefix(videoId)}old/master.m3u8` }), false);
    assert.equal((await row()).hlsKey, current.hlsKey);
  });

  it('lists the tracks of a page of videos in one statement', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => seedVideo(stack, { ownerId: owner.userId })));
    // Rows only: seeded videos have no manifests in storage to rewrite, and this is about reads.
    await stack.api.infra.ds.getRepository(CaptionEntity).insert(
      ids.map((id) => ({ id: randomUUID(), videoId: id, language: 'it', label: 'Italiano', kind: CaptionKind.SUBTITLES, fileKey: `${publicPrefix(id)}captions/it-1.vtt`, cueCount: 1 })),
    );
    const query = 'query{ me{ videos(first: 20){ edges{ node{ id captions{ language url } } } } } }';
    await gql(stack.url, query, {}, owner.token); // warm the cache
    const before = stack.api.infra.queryCount();
    const r = await gql<{ me: { videos: { edges: { node: { id: string; captions: { language: string }[] } }[] } } }>(stack.url, query, {}, owner.token);
    const statements = stack.api.infra.queryCount() - before;
    const withTracks = r.data!.me.videos.edges.filter((e) => e.node.captions.length);
    assert.ok(withTracks.length >= 5, JSON.stringify(r.errors ?? r.data));
    assert.ok(statements <= 4, `a page with captions cost ${statements} statements`);
  });
});
