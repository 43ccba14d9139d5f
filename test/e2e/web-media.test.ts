import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { inPage, launchBrowser, progressHistory, screenshot, signUpThroughUi, storedToken, watchProgressBars } from '../helpers/browser';
import { startStack, type TestStack } from '../helpers/env';
import { gql } from '../helpers/graphql';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

// The whole path: createUpload + tus (uploads), the transcode worker (processing), delivery and
// recordPlayback (playback), all through the web app in Chromium.
const SLOW = { timeout: 300_000 };
const MEDIA_TIMEOUT = 240_000;

const run = promisify(execFile);

/** A small H.264/AAC clip (a few seconds, 360p, so the ladder has two rungs), made at test time. */
async function makeClip(dir: string, name: string): Promise<string> {
  const file = join(dir, name);
  await run('ffmpeg', [
    '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '6', '-c:v', 'libx264', '-preset', 'veryfast', '-qp', '8', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ]);
  return file; // ~1.8 MB: big enough to see bytes progress under throttling
}

const videoState = (page: Page) =>
  inPage<{ t: number; w: number; h: number }>(page, '({ t: document.querySelector("video").currentTime, w: document.querySelector("video").videoWidth, h: document.querySelector("video").videoHeight })');

describe('upload, processing and playback in Chromium', () => {
  let proxy: TcpProxy;
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let dir: string;
  let clip: string;
  let base: string;
  let privateVideoId = '';

  before(async () => {
    // Everything goes through a proxy the tests can cut; media URLs are built from PUBLIC_URL.
    proxy = await startTcpProxy();
    [stack, browser, dir] = await Promise.all([
      startStack({ worker: true, env: { PUBLIC_URL: proxy.url } }),
      launchBrowser(),
      mkdtemp(join(tmpdir(), 'vp-web-media-')),
    ]);
    proxy.target(stack.url);
    base = proxy.url;
    clip = await makeClip(dir, 'clip.mp4');
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await signUpThroughUi(page, base, 'Uploader');
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await proxy?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Upload bandwidth in bytes/s (-1: unlimited), so progress is visible and a reload lands mid-upload. */
  const throttle = (bytesPerSecond: number) =>
    cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });

  async function startUpload(title: string, file = clip, visibility = 'PUBLIC') {
    await page.goto(`${base}/upload`);
    await watchProgressBars(page);
    await page.getByLabel('Video file').setInputFiles(file);
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Visibility').selectOption(visibility);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
  }

  const bytesAtLeast = (percent: number) =>
    page.waitForFunction(`Number(document.querySelector('[data-testid=bytes-progress]')?.getAttribute('aria-valuenow')) >= ${percent}`, null, { timeout: 60_000 });

  /** Waits for READY (or FAILED) and returns the video id from the "Watch" link. */
  async function waitForReady(): Promise<string> {
    const done = page.getByTestId('upload-done');
    await done.waitFor({ timeout: MEDIA_TIMEOUT });
    assert.equal(await done.locator('[data-status]').getAttribute('data-status'), 'READY', await page.getByTestId('upload-status').innerText());
    const href = await done.getByRole('link').getAttribute('href');
    return href!.split('/').pop()!;
  }

  async function myVideos(): Promise<{ id: string; title: string; status: string }[]> {
    const r = await gql<{ me: { videos: { edges: { node: { id: string; title: string; status: string } }[] } } }>(
      stack.url, '{ me { videos(first: 100) { edges { node { id title status } } } } }', {}, (await storedToken(page))!,
    );
    return r.data!.me.videos.edges.map((e) => e.node);
  }

  it('uploads a clip: the bytes bar, then the processing bar through its phases, to READY with a poster', SLOW, async () => {
    await throttle(400 * 1024);
    await startUpload('Private clip', clip, 'PRIVATE');
    await bytesAtLeast(40);
    await screenshot(page, 'upload-progress');
    await throttle(-1);
    privateVideoId = await waitForReady();

    const { values, texts } = await progressHistory(page);
    const bytes = values['bytes-progress']!;
    const processing = values['processing-progress']!;
    assert.equal(bytes.at(-1), 100);
    assert.ok(bytes.filter((v) => v > 0 && v < 100).length >= 2, `bytes advanced in steps: ${bytes}`);
    assert.equal(processing.at(-1), 100);
    assert.ok(processing.some((v) => v > 0 && v < 100), `processing advanced: ${processing}`);
    assert.ok(texts['processing-progress']!.some((t) => t.startsWith('Transcoding')), `phases: ${texts['processing-progress']}`);
    await page.waitForFunction("document.querySelector('[data-testid=upload-done] img')?.naturalWidth > 0", null, { timeout: 15_000 });
  });

  /** Waits for a condition on the <video>; on timeout, says what the player was doing. */
  async function waitForVideo(condition: string, what: string) {
    try {
      await page.waitForFunction(`(() => { const v = document.querySelector('video'); return ${condition}; })()`, null, { timeout: 30_000 });
    } catch {
      const state = await inPage(page, "(() => { const v = document.querySelector('video'); return { t: v.currentTime, w: v.videoWidth, h: v.videoHeight, paused: v.paused, ended: v.ended, error: v.error?.message, alert: document.querySelector('[role=alert]')?.textContent }; })()");
      assert.fail(`${what}: ${JSON.stringify(state)}`);
    }
  }

  async function playAndSwitch(engine: 'hls' | 'dash') {
    await page.goto(`${base}/watch/${privateVideoId}?engine=${engine}`);
    await page.getByRole('button', { name: 'Play' }).click();
    await waitForVideo('v.currentTime > 1', 'plays');
    const first = await videoState(page);
    await waitForVideo(`v.currentTime > ${first.t + 0.5}`, 'frames advance');
    assert.ok(first.w > 0 && first.h > 0, `frames decoded: ${JSON.stringify(first)}`);

    const options = await page.getByLabel('Quality').locator('option').allInnerTexts();
    const rungs = options.filter((o) => /^\d+p/.test(o)).map((o) => Number.parseInt(o, 10));
    assert.ok(rungs.length >= 2, `a ladder to choose from: ${options}`);
    for (const height of [Math.min(...rungs), Math.max(...rungs)]) {
      await page.getByLabel('Quality').selectOption({ label: options.find((o) => o.startsWith(`${height}p`))! });
      // From the start again, so a short clip cannot end before the new rung's frames show.
      await inPage(page, "(() => { const v = document.querySelector('video'); v.currentTime = 0.1; return v.play(); })()");
      await waitForVideo(`v.videoHeight === ${height} && !v.paused`, `switches to ${height}p`);
    }
  }

  it('plays with hls.js: frames advance, quality switches, the storyboard previews on scrub', SLOW, async () => {
    await playAndSwitch('hls');
    const seek = await page.getByLabel('Seek').boundingBox();
    await page.mouse.move(seek!.x + seek!.width * 0.7, seek!.y + seek!.height / 2);
    const thumb = page.getByTestId('scrub-thumbnail');
    await thumb.waitFor();
    const sprite = /url\("([^"]+)"\)/.exec((await thumb.getAttribute('style')) ?? '')?.[1];
    assert.ok(sprite, 'a sprite tile is shown');
    assert.equal(await inPage(page, `fetch(${JSON.stringify(sprite)}).then((r) => r.ok && r.headers.get('content-type').startsWith('image/'))`), true);
    await screenshot(page, 'player');
  });

  it('plays with dash.js: frames advance and quality switches', SLOW, async () => {
    await playAndSwitch('dash');
  });

  /** Waits until the <video> shows a caption track whose current cue matches; on timeout, says what the tracks held. */
  async function waitForCue(pattern: RegExp, what: string) {
    const showing = `[...document.querySelector('video').textTracks].filter((t) => t.mode === 'showing')`;
    try {
      await page.waitForFunction(`${showing}.some((t) => [...(t.activeCues ?? [])].some((c) => ${pattern}.test(c.text)))`, null, { timeout: 30_000 });
    } catch {
      const state = await inPage(page, `(() => { const v = document.querySelector('video'); return { t: v.currentTime, paused: v.paused, tracks: [...v.textTracks].map((t) => ({ kind: t.kind, label: t.label, lang: t.language, mode: t.mode, cues: t.cues?.length, active: [...(t.activeCues ?? [])].map((c) => c.text) })), alert: document.querySelector('[role=alert]')?.textContent }; })()`);
      assert.fail(`${what}: ${JSON.stringify(state)}`);
    }
  }

  it('lets the owner add WebVTT and SRT captions on the page; hls.js and dash.js show the chosen track, remembered across visits', SLOW, async () => {
    const vtt = join(dir, 'english.vtt');
    writeFileSync(vtt, 'WEBVTT\n\n00:00.000 --> 00:03.000\nFirst English caption\n\n00:03.000 --> 00:06.000\nSecond English caption\n');
    const srt = join(dir, 'francais.srt');
    writeFileSync(srt, '1\r\n00:00:00,000 --> 00:00:03,000\r\n<i>Premier sous-titre</i>\r\n\r\n2\r\n00:00:03,000 --> 00:00:06,000\r\nDeuxième sous-titre\r\n');
    await page.goto(`${base}/watch/${privateVideoId}?engine=hls`);
    await page.evaluate('localStorage.removeItem("vp.captions")');
    const tools = page.getByRole('region', { name: 'Caption tracks' });
    const addTrack = async (language: string, label: string, kind: string, file: string) => {
      await tools.getByLabel('Language').fill(language);
      await tools.getByLabel('Label').fill(label);
      await tools.getByLabel('Kind').selectOption(kind);
      await tools.getByLabel('Caption file (WebVTT or SRT)').setInputFiles(file);
      await tools.getByRole('button', { name: 'Add captions' }).click();
      await tools.getByText(`Captions “${label}” added.`).waitFor({ timeout: 30_000 });
    };
    await addTrack('en', 'English', 'SUBTITLES', vtt);
    await addTrack('fr', 'Français', 'CAPTIONS', srt);
    await tools.getByRole('link', { name: 'Français' }).waitFor();

    // hls.js: off until chosen, then the English cues show as the video plays.
    const menu = page.getByRole('combobox', { name: /^Captions/ });
    // Paused while switching, then from near the start: a 6 s clip could end before the new track's file arrives.
    const switchCaptions = async (label: string) => {
      await inPage(page, "document.querySelector('video').pause()");
      await menu.selectOption({ label });
      await inPage(page, "(() => { const v = document.querySelector('video'); v.currentTime = 0.5; return v.play(); })()");
    };
    await page.waitForFunction("[...document.querySelectorAll('select option')].some((o) => o.textContent === 'Français')", null, { timeout: 30_000 });
    assert.equal(await menu.inputValue(), 'off', 'off until the viewer chooses');
    await menu.selectOption({ label: 'English' });
    await page.getByRole('button', { name: 'Play' }).click();
    await waitForCue(/First English caption|Second English caption/, 'hls.js shows the English track');
    assert.equal(await inPage(page, 'localStorage.getItem("vp.captions")'), 'en', 'the choice is remembered');
    await switchCaptions('Français');
    await waitForCue(/Premier sous-titre|Deuxième sous-titre/, 'hls.js switches to the SRT track');
    await screenshot(page, 'player-captions');

    // dash.js, on a later visit: the remembered choice is on from the start.
    await page.goto(`${base}/watch/${privateVideoId}?engine=dash`);
    await page.waitForFunction("[...document.querySelectorAll('select option')].some((o) => o.textContent === 'Français')", null, { timeout: 30_000 });
    assert.equal(await menu.inputValue(), 'fr');
    await page.getByRole('button', { name: 'Play' }).click();
    await waitForCue(/Premier sous-titre|Deuxième sous-titre/, 'dash.js shows the remembered track');
    await switchCaptions('English');
    await waitForCue(/First English caption|Second English caption/, 'dash.js switches to the English track');

    // Removed on the page: gone from the list and the menu.
    await page.getByRole('region', { name: 'Caption tracks' }).getByRole('button', { name: 'Remove Français' }).click();
    await page.getByText('Captions “Français” removed.').waitFor({ timeout: 30_000 });
    await page.waitForFunction("![...document.querySelectorAll('select option')].some((o) => o.textContent === 'Français')", null, { timeout: 30_000 });
  });

  it('resumes from the position recorded with recordPlayback', SLOW, async () => {
    await page.goto(`${base}/watch/${privateVideoId}`);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction('document.querySelector("video").currentTime >= 3', null, { timeout: 30_000 });
    const recorded = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('RecordPlayback'));
    await page.getByRole('button', { name: 'Pause' }).click();
    assert.deepEqual(((await (await recorded).json()) as { data: unknown }).data, { recordPlayback: true });

    await page.reload();
    await page.getByTestId('resumed-playback').waitFor({ timeout: 30_000 });
    assert.ok((await videoState(page)).t >= 2.5, 'starts where the viewer left');
    await page.goto(`${base}/`);
    await page.getByTestId('continue-watching').locator(`[data-video-id="${privateVideoId}"]`).waitFor();
    await page.waitForFunction("[...document.querySelectorAll('.video-card img')].every((i) => i.naturalWidth > 0)");
    await screenshot(page, 'library');
  });

  it('lets the owner pick the poster at the player position or upload one, allow downloads, and download the MP4', SLOW, async () => {
    const token = (await storedToken(page))!;
    const poster = async () =>
      (await gql<{ video: { allowDownload: boolean; poster: { url: string; width: number } } }>(stack.url, 'query($id:ID!){ video(id:$id){ allowDownload poster{ url width } } }', { id: privateVideoId }, token)).data!.video;
    const posterShown = (url: string) => page.waitForFunction(`document.querySelector('video').getAttribute('poster') === ${JSON.stringify(url)}`, null, { timeout: 30_000 });
    await page.goto(`${base}/watch/${privateVideoId}`);
    const original = await poster();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction('document.querySelector("video").currentTime >= 2', null, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Use this frame as poster' }).click();
    // The tools' message, whichever it is: a refusal then fails here with the server's words.
    const said = page.getByRole('region', { name: 'Owner tools' }).locator('[role=status], [role=alert]');
    await said.waitFor({ timeout: 30_000 });
    assert.match(await said.innerText(), /The poster is now the frame at 0:0[2-9]/);
    const picked = await poster();
    assert.notEqual(picked.poster.url, original.poster.url);
    await posterShown(picked.poster.url);

    const image = join(dir, 'poster.png');
    await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=480x360', '-frames:v', '1', image]);
    await page.getByLabel('Poster image').setInputFiles(image);
    await page.getByText('The poster is now your image.').waitFor({ timeout: 30_000 });
    const uploaded = await poster();
    assert.equal(uploaded.poster.width, 480);
    await posterShown(uploaded.poster.url);

    await page.getByLabel('Allow downloads').check();
    await page.getByText('Viewers may download this video.').waitFor();
    assert.equal((await poster()).allowDownload, true);
    await page.getByLabel('Download resolution').selectOption('240');
    const download = page.waitForEvent('download', { timeout: MEDIA_TIMEOUT });
    await page.getByRole('button', { name: 'Download MP4' }).click();
    const file = join(dir, 'download.mp4');
    await (await download).saveAs(file);
    assert.match((await download).suggestedFilename(), /-240p\.mp4$/);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=height', '-of', 'json', file]);
    const probe = JSON.parse(stdout) as { format: { duration: string }; streams: { height?: number }[] };
    assert.ok(Math.abs(Number(probe.format.duration) - 6) < 0.2, probe.format.duration);
    assert.ok(probe.streams.some((s) => s.height === 240));
  });

  it('keeps a private video out of reach when signed out', SLOW, async () => {
    const token = (await storedToken(page))!;
    const r = await gql<{ video: { playback: { hlsUrl: string } } }>(stack.url, 'query($id:ID!){ video(id:$id){ playback { hlsUrl } } }', { id: privateVideoId }, token);
    const signed = r.data!.video.playback.hlsUrl;
    assert.equal((await fetch(signed)).status, 200, 'the owner’s signed URL plays');
    const bare = new URL(signed);
    bare.search = '';
    assert.ok([401, 403, 404].includes((await fetch(bare)).status), 'without the token it does not');

    const stranger = await browser.newContext();
    const other = await stranger.newPage();
    await other.goto(`${base}/watch/${privateVideoId}`);
    await other.getByRole('heading', { name: 'Video not found' }).waitFor();
    await other.goto(`${base}/`);
    // The list once loaded (cards or the empty text), not while it still says "Loading…".
    await other.getByTestId('public-videos').locator('.grid, .empty').first().waitFor();
    assert.equal(await other.locator(`[data-video-id="${privateVideoId}"]`).count(), 0);
    await stranger.close();
  });

  it("shows the server's error for a file that is not a video, and leaves nothing in the library", SLOW, async () => {
    const fake = join(dir, 'notes.mp4');
    writeFileSync(fake, 'These are my notes, not a video.\n'.repeat(2000));
    await startUpload('Not a video', fake);
    const error = page.getByTestId('upload-error');
    await error.waitFor({ timeout: MEDIA_TIMEOUT });
    assert.match(await error.innerText(), /\S/);
    const deadline = Date.now() + 15_000;
    while ((await myVideos()).some((v) => v.title === 'Not a video') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual((await myVideos()).filter((v) => v.title === 'Not a video'), []);
  });

  it('resumes after a page reload mid-upload, from the offset the server has', SLOW, async () => {
    await throttle(150 * 1024);
    await startUpload('Reloaded clip');
    await bytesAtLeast(30);
    await page.reload();
    await page.getByTestId('pending-upload').waitFor();
    await throttle(-1);
    await page.getByLabel('Video file').setInputFiles(clip);
    assert.equal(await page.getByLabel('Title').inputValue(), 'Reloaded clip');
    await page.getByRole('button', { name: 'Resume upload' }).click();
    const resumed = page.getByTestId('resumed-from');
    await resumed.waitFor({ timeout: 30_000 });
    assert.ok(Number(await resumed.getAttribute('data-offset')) > 0, 'continued, not restarted');
    await waitForReady();
    assert.equal((await myVideos()).filter((v) => v.title === 'Reloaded clip').length, 1, 'one video, not two');
  });

  it('resumes by itself after the network drops mid-upload', SLOW, async () => {
    await throttle(150 * 1024);
    await startUpload('Dropped clip');
    await bytesAtLeast(25);
    assert.ok(proxy.cut() > 0, 'connections were open');
    const resumed = page.getByTestId('resumed-from');
    await resumed.waitFor({ timeout: 60_000 });
    assert.ok(Number(await resumed.getAttribute('data-offset')) > 0);
    await throttle(-1);
    await waitForReady();
  });
});
