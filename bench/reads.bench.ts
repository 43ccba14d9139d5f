import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type autocannon from 'autocannon';
import { VideoCache } from '../src/cache/video-cache';
import { VideoRepository } from '../src/db/repositories/video.repository';
import { publicKey } from '../src/storage/keys';
import { startStack, type TestStack } from '../test/helpers/env';
import { signUp } from '../test/helpers/graphql';
import { makeLadder, seedVideo } from '../test/helpers/media';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const VIDEO = (id: string) =>
  JSON.stringify({ query: `{ video(id: "${id}") { id title description status visibility viewCount renditions { height width bitrate codecs } poster { url } playback { hlsUrl dashUrl } } }` });
const PAGE = JSON.stringify({ query: '{ videos(first: 50) { edges { node { id title viewCount uploader { displayName } renditions { height } poster { url } } } } }' });
const TRIVIAL = JSON.stringify({ query: '{ __typename }' });

type Result = autocannon.Result;

/** autocannon in its own process, so the load generator does not share the server's event loop. */
async function cannon(url: string, opts: { body?: string; connections?: number } = {}): Promise<Result> {
  const args = [require.resolve('autocannon'), '-j', '-c', String(opts.connections ?? CONNECTIONS), '-d', String(DURATION_S)];
  if (opts.body) args.push('-m', 'POST', '-H', 'content-type=application/json', '-b', opts.body);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Result;
}

function line(name: string, r: Result): string {
  const errs = r.errors + r.non2xx;
  return `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(7)} req/s  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(4)} ms  ${(r.throughput.average / 1e6).toFixed(1).padStart(7)} MB/s${errs ? `  (${errs} errors!)` : ''}`;
}

async function seed(stack: TestStack, ladder: Awaited<ReturnType<typeof makeLadder>>): Promise<{ one: string; withFiles: string }> {
  const { userId } = await signUp(stack.url, 'Bench');
  let one = '';
  for (let i = 0; i < 60; i += 1) one = await seedVideo(stack, { ownerId: userId, title: `bench ${i}` });
  const withFiles = await seedVideo(stack, { ownerId: userId, ladder });
  // A segment of realistic size (2 MB, ~4 s of 4 Mbit/s video) next to the tiny generated ones.
  await stack.api.infra.storage.put(publicKey(withFiles, 'big/seg-00001.m4s'), Readable.from([randomBytes(2 * 1024 * 1024)]));
  return { one, withFiles };
}

/** Calls per second of `fn` run by `parallel` concurrent loops for `ms`. */
async function opsPerSecond(fn: () => Promise<unknown>, ms = 2000, parallel = 8): Promise<number> {
  let n = 0;
  const end = Date.now() + ms;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (Date.now() < end) {
      await fn();
      n += 1;
    }
  }));
  return n / (ms / 1000);
}

/** video(id) cached vs uncached, videos(first:50) latency, segment delivery via the API vs straight from S3. */
export async function run(): Promise<void> {
  const ladder = await makeLadder();
  const cached = await startStack();
  const uncached = await startStack({ env: { VIDEO_CACHE_ENABLED: 'false' } });
  try {
    const a = await seed(cached, ladder);
    const b = await seed(uncached, ladder);
    const gqlUrl = (s: TestStack) => `${s.url}/graphql`;

    const trivial = await cannon(gqlUrl(cached), { body: TRIVIAL });
    const hit = await cannon(gqlUrl(cached), { body: VIDEO(a.one) });
    const miss = await cannon(gqlUrl(uncached), { body: VIDEO(b.one) });
    const page = await cannon(gqlUrl(cached), { body: PAGE, connections: 1 });
    const viaApi = await cannon(`${cached.url}/videos/${a.withFiles}/big/seg-00001.m4s`);
    const direct = await cannon(await cached.api.infra.storage.presignedGetUrl(publicKey(a.withFiles, 'big/seg-00001.m4s'), 3600));
    const smallApi = await cannon(`${cached.url}/videos/${a.withFiles}/r0/seg-00001.m4s`);
    const smallDirect = await cannon(await cached.api.infra.storage.presignedGetUrl(publicKey(a.withFiles, 'r0/seg-00001.m4s'), 3600));

    // The data layer alone (no HTTP, no GraphQL): what the cache saves per lookup.
    const repo = new VideoRepository(cached.api.infra.ds);
    const opts = { ttlSeconds: 300, negativeTtlSeconds: 10, jitter: 0.1 };
    const on = new VideoCache(cached.api.infra.redis, cached.config.redisPrefix, repo, { ...opts, enabled: true });
    const off = new VideoCache(cached.api.infra.redis, cached.config.redisPrefix, repo, { ...opts, enabled: false });
    const layerHit = await opsPerSecond(() => on.get(a.one));
    const layerMiss = await opsPerSecond(() => off.get(a.one));

    const out = [
      `${DURATION_S} s each, ${CONNECTIONS} connections (videos page: 1), loopback, autocannon in a child process`,
      line('{ __typename } (baseline)', trivial),
      line('video(id) cached', hit),
      line('video(id) uncached (cache off)', miss),
      `  → cached / uncached throughput: ${(hit.requests.average / miss.requests.average).toFixed(2)}×`,
      `video lookup, data layer only: cache ${layerHit.toFixed(0)}/s vs MySQL ${layerMiss.toFixed(0)}/s → ${(layerHit / layerMiss).toFixed(2)}×`,
      line('videos(first:50), 1 connection', page),
      `  → page p50 latency / trivial p50: ${(page.latency.p50 / Math.max(1, trivial.latency.p50)).toFixed(1)}× ; mean ${page.latency.average.toFixed(1)} ms`,
      line('2 MB segment via API', viaApi),
      line('2 MB segment straight from S3', direct),
      `  → API / S3 bytes per second: ${(viaApi.throughput.average / direct.throughput.average).toFixed(2)}`,
      line('small segment via API', smallApi),
      line('small segment straight from S3', smallDirect),
      `  → API / S3 requests per second: ${(smallApi.requests.average / smallDirect.requests.average).toFixed(2)}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await uncached.close();
    await cached.close();
    await ladder.cleanup();
  }
}
