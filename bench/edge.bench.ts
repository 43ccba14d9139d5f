import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { publicKey } from '../src/storage/keys';
import { Visibility } from '../src/domain/video-status';
import { originMediaRequests, startEdge } from '../test/helpers/edge';
import { startStack } from '../test/helpers/env';
import { gql, signUp } from '../test/helpers/graphql';
import { makeLadder, seedVideo } from '../test/helpers/media';
import { httpLoad, loadGenerator, type HttpLoad } from './http-load';

export interface EdgeBenchResult {
  seconds: number;
  connections: number;
  segmentBytes: number;
  /** Straight from the API (it streams the segment from S3). */
  api: HttpLoad;
  /** Through Varnish, every request going to the origin (a signed, private URL: PASS). */
  edgeMiss: HttpLoad;
  /** Through Varnish, the segment already cached: Varnish serves it from memory (HIT). */
  edgeHit: HttpLoad;
  /** A popular public video: viewer requests through the edge and what reached the API. */
  popular: { viewerRequests: number; originRequests: number; originPer1000: number };
}

/**
 * Segment delivery straight from the API vs through the edge cache (miss path and hit path), and
 * how many origin requests 1,000 viewer requests of a popular video cost with the edge in front.
 */
export async function benchEdge(opts: { seconds?: number; connections?: number; segmentBytes?: number; viewers?: number } = {}): Promise<EdgeBenchResult> {
  const seconds = opts.seconds ?? 5;
  const connections = opts.connections ?? 10;
  const segmentBytes = opts.segmentBytes ?? 2 * 1024 * 1024;
  const viewers = opts.viewers ?? 50;
  const ladder = await makeLadder();
  const stack = await startStack();
  const edge = await startEdge(stack.url, { cacheSize: '512m' });
  try {
    const { userId, token } = await signUp(stack.url, 'Bench');
    const segment = randomBytes(segmentBytes);
    const pub = await seedVideo(stack, { ownerId: userId, ladder });
    const priv = await seedVideo(stack, { ownerId: userId, ladder, visibility: Visibility.PRIVATE });
    // A realistic segment (2 MB ≈ 4 s of 4 Mbit/s video) next to the tiny generated ones, and a
    // 17-segment rendition for the popular-video walk.
    for (const id of [pub, priv]) await stack.api.infra.storage.put(publicKey(id, 'big/seg-00001.m4s'), Readable.from([segment]));
    const walk = ['master.m3u8', 'media_0.m3u8', 'r0/init.mp4'];
    for (let i = 2; i <= 18; i += 1) {
      const name = `big/seg-${String(i).padStart(5, '0')}.m4s`;
      await stack.api.infra.storage.put(publicKey(pub, name), Readable.from([segment.subarray(0, 256 * 1024)]));
      walk.push(name);
    }
    const q = await gql<{ video: { playback: { hlsUrl: string } } }>(stack.url, 'query($id:ID!){ video(id:$id){ playback { hlsUrl } } }', { id: priv }, token);
    const signed = new URL(q.data!.video.playback.hlsUrl).searchParams.get('token');

    const api = await httpLoad(`${stack.url}/videos/${pub}/big/seg-00001.m4s`, seconds, connections);
    const edgeMiss = await httpLoad(`${edge.url}/videos/${priv}/big/seg-00001.m4s?token=${signed}`, seconds, connections);
    await fetch(`${edge.url}/videos/${pub}/big/seg-00001.m4s`).then((r) => r.arrayBuffer());
    const edgeHit = await httpLoad(`${edge.url}/videos/${pub}/big/seg-00001.m4s`, seconds, connections);

    // Viewers start within moments of each other and walk the same playlist (10 at a time).
    const before = await originMediaRequests(stack.url);
    let viewerRequests = 0;
    const queue = Array.from({ length: viewers }, (_, v) => v);
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (queue.shift() !== undefined) {
          for (const file of walk) {
            const res = await fetch(`${edge.url}/videos/${pub}/${file}`);
            await res.arrayBuffer();
            if (!res.ok) throw new Error(`${file}: ${res.status}`);
            viewerRequests += 1;
          }
        }
      }),
    );
    const originRequests = (await originMediaRequests(stack.url)) - before;
    return {
      seconds,
      connections,
      segmentBytes,
      api,
      edgeMiss,
      edgeHit,
      popular: { viewerRequests, originRequests, originPer1000: (originRequests / viewerRequests) * 1000 },
    };
  } finally {
    await edge.close();
    await stack.close();
    await ladder.cleanup();
  }
}

function line(name: string, t: HttpLoad): string {
  return `${name.padEnd(44)} ${t.requestsPerSecond.toFixed(0).padStart(6)} req/s ${t.megabytesPerSecond.toFixed(1).padStart(8)} MB/s  p50 ${t.p50Ms.toFixed(1).padStart(6)} ms  p99 ${t.p99Ms.toFixed(1).padStart(6)} ms`;
}

export function formatEdgeBench(r: EdgeBenchResult): string {
  return [
    `${r.seconds} s each, ${r.connections} connections, ${(r.segmentBytes / 1048576).toFixed(0)} MB segment, loopback, ${loadGenerator} in a child process`,
    line('straight from the API', r.api),
    line('through the edge, miss (signed: PASS)', r.edgeMiss),
    line('through the edge, hit (from memory)', r.edgeHit),
    `  → edge hit / API: ${(r.edgeHit.requestsPerSecond / r.api.requestsPerSecond).toFixed(1)}× requests/s; edge miss / API: ${(r.edgeMiss.requestsPerSecond / r.api.requestsPerSecond).toFixed(2)}×`,
    `popular video: ${r.popular.viewerRequests} viewer requests → ${r.popular.originRequests} origin requests (${r.popular.originPer1000.toFixed(1)} per 1,000)`,
  ].join('\n');
}

/** `npm run bench edge` (bench/run.ts) or `node dist/bench/edge.bench.js`. */
export async function run(): Promise<void> {
  process.stdout.write(`${formatEdgeBench(await benchEdge({ seconds: Number(process.env.BENCH_SECONDS ?? 5) }))}\n`);
}

if (require.main === module) {
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
