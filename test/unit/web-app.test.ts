import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSchema, Kind, parse, validate, type DefinitionNode, type DocumentNode } from 'graphql';

const ROOT = resolve(__dirname, '../../..');

interface StoryboardCue { start: number; end: number; url: string; x: number; y: number; w: number; h: number }
interface StoryboardModule {
  parseStoryboardVtt(text: string, vttUrl: string, imageUrl?: string): StoryboardCue[];
  cueAt(cues: StoryboardCue[], time: number): StoryboardCue | null;
}
interface FormatModule {
  formatTime(s: number | null): string;
  formatBytes(n: number | null): string;
  webhookEventName(event: string): string;
  deliveryOutcome(d: { statusCode: number | null; error: string | null }): string;
}

// The web app's pure modules are TypeScript for the browser; Vite loads them here as it would for the app.
describe('web app pure logic', () => {
  let close: () => Promise<void>;
  let storyboard: StoryboardModule;
  let format: FormatModule;
  before(async () => {
    const { createServer } = await import('vite');
    const vite = await createServer({
      root: resolve(ROOT, 'web'),
      configFile: false,
      logLevel: 'silent',
      appType: 'custom',
      server: { middlewareMode: true, hmr: false, ws: false },
    });
    close = () => vite.close();
    storyboard = (await vite.ssrLoadModule('/src/player/storyboard.ts')) as StoryboardModule;
    format = (await vite.ssrLoadModule('/src/format.ts')) as FormatModule;
  });
  after(() => close?.());

  const vtt = [
    'WEBVTT',
    '',
    '00:00.000 --> 00:02.000',
    'sprite-0.jpg#xywh=0,0,160,90',
    '',
    'cue-2',
    '00:00:02.000 --> 00:00:04.000 align:start',
    'sprite-0.jpg#xywh=160,0,160,90',
    '',
    '00:00:04.000 --> 00:01:04.500',
    'https://cdn.example/other.jpg#xywh=0,90,160,90',
    '',
    '00:01:04.500 --> 00:01:06.000',
    'no fragment here.jpg',
    '',
  ].join('\r\n');

  it('parses storyboard WebVTT cues with #xywh fragments, resolving images against the VTT', () => {
    const cues = storyboard.parseStoryboardVtt(vtt, 'http://h/videos/v1/storyboard/index.vtt');
    assert.deepEqual(cues, [
      { start: 0, end: 2, url: 'http://h/videos/v1/storyboard/sprite-0.jpg', x: 0, y: 0, w: 160, h: 90 },
      { start: 2, end: 4, url: 'http://h/videos/v1/storyboard/sprite-0.jpg', x: 160, y: 0, w: 160, h: 90 },
      { start: 4, end: 64.5, url: 'https://cdn.example/other.jpg', x: 0, y: 90, w: 160, h: 90 },
    ]);
    assert.equal(storyboard.cueAt(cues, 3.2)?.x, 160);
    assert.equal(storyboard.cueAt(cues, 0)?.x, 0);
    assert.equal(storyboard.cueAt(cues, 999)?.y, 90, 'past the end: the last tile');
    assert.equal(storyboard.cueAt([], 1), null);
  });

  it("carries a private video's signed token to the sprite images", () => {
    const vttUrl = 'http://h/videos/v1/storyboard/index.vtt?token=abc';
    const imageUrl = 'http://h/videos/v1/storyboard/sprite-0.jpg?token=img';
    const [first, , third] = storyboard.parseStoryboardVtt(vtt, vttUrl, imageUrl);
    assert.equal(first?.url, imageUrl, 'the signed imageUrl wins for the same file');
    assert.equal(third?.url, 'https://cdn.example/other.jpg?token=abc');
    const other = storyboard.parseStoryboardVtt('WEBVTT\n\n00:00.000 --> 00:01.000\nsprite-1.jpg#xywh=0,0,1,1\n', vttUrl, imageUrl);
    assert.equal(other[0]?.url, 'http://h/videos/v1/storyboard/sprite-1.jpg?token=abc');
  });

  it('refuses a file that is not WebVTT', () => {
    assert.throws(() => storyboard.parseStoryboardVtt('<html>', 'http://h/x.vtt'), /WebVTT/);
    assert.throws(() => storyboard.parseStoryboardVtt('WEBVTT\n\nxx:00.000 --> 00:01.000\na.jpg#xywh=0,0,1,1\n', 'http://h/x.vtt'), /timestamp/);
  });

  it('formats times and sizes', () => {
    assert.equal(format.formatTime(75.4), '1:15');
    assert.equal(format.formatTime(3725), '1:02:05');
    assert.equal(format.formatTime(null), '0:00');
    assert.equal(format.formatTime(Number.NaN), '0:00');
    assert.equal(format.formatBytes(0), '0 B');
    assert.equal(format.formatBytes(1536), '1.5 KB');
    assert.equal(format.formatBytes(5 * 1024 ** 3), '5.0 GB');
  });

  it("names webhook events as their payload type, and a delivery by its status or else its error", () => {
    assert.deepEqual(['VIDEO_READY', 'VIDEO_FAILED', 'VIDEO_DELETED', 'UPLOAD_COMPLETED'].map(format.webhookEventName), ['video.ready', 'video.failed', 'video.deleted', 'upload.completed']);
    assert.equal(format.deliveryOutcome({ statusCode: 204, error: null }), '204');
    assert.equal(format.deliveryOutcome({ statusCode: 500, error: 'HTTP 500' }), '500');
    assert.equal(format.deliveryOutcome({ statusCode: null, error: 'timed out' }), 'timed out');
    assert.equal(format.deliveryOutcome({ statusCode: null, error: null }), 'no answer');
  });
});

describe('web app GraphQL operations', async () => {
  const schema = buildSchema(await readFile(resolve(ROOT, 'schema.graphql'), 'utf8'));
  const doc = parse(await readFile(resolve(ROOT, 'web/src/graphql/operations.graphql'), 'utf8'));
  const fragments = doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const operations = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);

  it('exports from operations.ts a generated document for exactly the operations of operations.graphql', async () => {
    const ts = await readFile(resolve(ROOT, 'web/src/graphql/operations.ts'), 'utf8');
    const declared = [...ts.matchAll(/\b([A-Za-z]+)Document as /g)].map((m) => m[1]).sort();
    assert.deepEqual(declared, operations.map((o) => o.name?.value).sort());
  });

  for (const op of operations) {
    it(`${op.name?.value} is valid against schema.graphql`, () => {
      // Fragments are checked with the operations that spread them.
      const used = fragments.filter((f: DefinitionNode) => JSON.stringify(op).includes(`"value":"${(f as { name: { value: string } }).name.value}"`));
      const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [op, ...used] };
      assert.deepEqual(validate(schema, single).map((e) => e.message), []);
    });
  }
});
