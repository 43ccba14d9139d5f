import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { progressPhases, type ProgressPhase } from '../src/events/progress';
import { gql, signUp, wsClient } from '../test/helpers/graphql';
import { mediaDir } from '../test/helpers/media';
import { createUpload, tusUpload, uploadFile } from '../test/helpers/uploads';
import { startCluster, type Cluster } from '../test/cluster/cluster';
import { sleep } from '../test/cluster/processes';

/**
 * `npm run bench:cluster`: the cluster of test/cluster (2 APIs and 2 workers behind HAProxy, on
 * loopback) under 50 concurrent uploads (half tus, half multipart, small clips), 200 concurrent
 * readers (video, videos, manifests, segments) and 500 subscribers. Bounded: gives up after
 * LOAD_DEADLINE_SECONDS (default 480). Writes bench/cluster-load.md.
 */
const UPLOADS = Number(process.env.LOAD_UPLOADS ?? 50);
const READERS = Number(process.env.LOAD_READERS ?? 200);
const SUBSCRIBERS_PER_VIDEO = Math.max(1, Math.round(Number(process.env.LOAD_SUBSCRIBERS ?? 500) / UPLOADS));
const DEADLINE_MS = Number(process.env.LOAD_DEADLINE_SECONDS ?? 480) * 1000;

type Ev = { videoProgress: { status: string; phase: string; percent: number } };

class Latencies {
  private readonly byOp = new Map<string, { ms: number[]; errors: number }>();
  /** The first few failures, to tell what they were. */
  readonly samples: string[] = [];
  record(op: string, ms: number, ok: boolean, why?: string): void {
    const e = this.byOp.get(op) ?? { ms: [], errors: 0 };
    e.ms.push(ms);
    if (!ok) {
      e.errors += 1;
      if (this.samples.length < 8) this.samples.push(`${op}: ${why ?? 'unexpected answer'}`.slice(0, 300));
    }
    this.byOp.set(op, e);
  }
  rows(): string[] {
    return [...this.byOp].map(([op, { ms, errors }]) => {
      const s = [...ms].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
      return `| ${op} | ${s.length} | ${errors} | ${q(0.5).toFixed(0)} | ${q(0.99).toFixed(0)} | ${(s.at(-1) ?? 0).toFixed(0)} |`;
    });
  }
  errors(): number {
    return [...this.byOp.values()].reduce((n, e) => n + e.errors, 0);
  }
}

async function timed<T>(lat: Latencies, op: string, fn: () => Promise<T>, ok: (v: T) => boolean = () => true): Promise<T | null> {
  const t = performance.now();
  try {
    const v = await fn();
    lat.record(op, performance.now() - t, ok(v), JSON.stringify(v).slice(0, 300));
    return v;
  } catch (err) {
    lat.record(op, performance.now() - t, false, (err as Error).message);
    return null;
  }
}

/** Peak resident memory of each process, sampled from /proc. */
function rssSampler(procs: { name: string; pid: () => number }[]): { stop(): Map<string, number> } {
  const peak = new Map<string, number>();
  const timer = setInterval(() => {
    for (const p of procs) {
      void readFile(`/proc/${p.pid()}/status`, 'utf8').then(
        (s) => {
          const kb = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
          peak.set(p.name, Math.max(peak.get(p.name) ?? 0, kb));
        },
        () => undefined,
      );
    }
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

function subscribe(client: Client, id: string, events: Ev[], onFinal: () => void): void {
  client.subscribe<Ev>(
    { query: 'subscription($id: ID!){ videoProgress(videoId: $id){ status phase percent } }', variables: { id } },
    {
      next: (m) => {
        const e = m.data as Ev | undefined;
        if (!e) return;
        events.push(e);
        if (e.videoProgress.status === 'READY' || e.videoProgress.status === 'FAILED') onFinal();
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const cluster: Cluster = await startCluster({
    env: { LOG_LEVEL: 'warn', UPLOAD_RATE_LIMIT: '10000', THUMBNAIL_RATE_LIMIT: '10000', SIGNIN_MAX_FAILURES: '1000' },
  });
  const media = await mediaDir();
  const lat = new Latencies();
  try {
    const clip = await media.clip('load.mp4', { size: '320x240', seconds: 2 });
    const bytes = await readFile(clip);
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => signUp(cluster.url, `Load ${i}`)));
    const token = (i: number) => users[i % users.length].token;

    // Published videos for the readers.
    const seeds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await uploadFile(cluster.url, token(i), clip, { title: `Seed ${i}`, visibility: 'PUBLIC' });
      if (r.data) seeds.push(r.data.uploadVideo.id);
    }
    const seedMedia: { manifest: string; segment: string }[] = [];
    for (const id of seeds) {
      for (let t = 0; t < 240; t++) {
        const r = await gql<{ video: { status: string; playback: { hlsUrl: string } | null } }>(cluster.url, 'query($id:ID!){ video(id:$id){ status playback { hlsUrl } } }', { id }, token(0));
        const hls = r.data?.video.playback?.hlsUrl;
        if (r.data?.video.status === 'READY' && hls) {
          const master = await (await fetch(hls)).text();
          const media = new URL(master.split('\n').find((l) => l && !l.startsWith('#')) ?? '', hls);
          const playlist = await (await fetch(media)).text();
          const segment = new URL(playlist.split('\n').find((l) => l && !l.startsWith('#')) ?? '', media);
          seedMedia.push({ manifest: hls, segment: segment.toString() });
          break;
        }
        await sleep(500);
      }
    }
    if (!seedMedia.length) throw new Error('no seed video became READY');

    const procs = [...cluster.apis, ...cluster.workers].map((m) => ({ name: m.name, pid: () => m.proc.pid }));
    const rss = rssSampler(procs);

    // 500 subscribers, on as many WebSocket connections through the load balancer.
    const subs: { video: number; events: Ev[]; final: boolean; client: Client }[] = [];
    const finals = new Map<number, number>();
    const follow = (video: number, id: string) => {
      for (let k = 0; k < SUBSCRIBERS_PER_VIDEO; k++) {
        const s = { video, events: [] as Ev[], final: false, client: wsClient(cluster.url, token(k)) };
        subs.push(s);
        subscribe(s.client, id, s.events, () => {
          s.final = true;
          finals.set(video, (finals.get(video) ?? 0) + 1);
        });
      }
    };

    // 200 readers until every upload is READY (or the deadline).
    let reading = true;
    const readers = Array.from({ length: READERS }, async (_, r) => {
      for (let n = 0; reading; n++) {
        const m = seedMedia[(r + n) % seedMedia.length];
        const id = seeds[(r + n) % seeds.length];
        switch ((r + n) % 4) {
          case 0:
            await timed(lat, 'video(id)', () => gql(cluster.url, 'query($id:ID!){ video(id:$id){ id title status renditions { height } } }', { id }, token(r)), (v) => !!v.data);
            break;
          case 1:
            await timed(lat, 'videos(first: 20)', () => gql(cluster.url, '{ videos(first: 20) { edges { node { id title } } } }', {}, token(r)), (v) => !!v.data);
            break;
          case 2:
            await timed(lat, 'GET manifest', async () => (await fetch(m.manifest)).status, (s) => s === 200);
            break;
          default:
            await timed(lat, 'GET segment', async () => {
              const res = await fetch(m.segment);
              await res.arrayBuffer();
              return res.status;
            }, (s) => s === 200);
        }
      }
    });

    // 50 uploads at once: even ones over tus (subscribed before the bytes), odd ones multipart.
    const ids: (string | null)[] = new Array(UPLOADS).fill(null);
    const uploads = Array.from({ length: UPLOADS }, async (_, i) => {
      if (i % 2 === 0) {
        const ticket = await timed(lat, 'createUpload', () => createUpload(cluster.url, token(i), { title: `Load ${i}`, filename: 'load.mp4', sizeBytes: bytes.length, visibility: 'PUBLIC' }), (v) => !!v.data);
        if (!ticket?.data) return;
        ids[i] = ticket.data.createUpload.video.id;
        follow(i, ids[i]!);
        await sleep(300);
        const done = await timed(lat, 'tus upload (whole file)', () => tusUpload(ticket.data!.createUpload.uploadUrl, token(i), bytes).then(() => true));
        if (!done) ids[i] = null;
      } else {
        const r = await timed(lat, 'uploadVideo (multipart)', () => uploadFile(cluster.url, token(i), clip, { title: `Load ${i}`, visibility: 'PUBLIC' }), (v) => !!v.data);
        if (!r?.data) return;
        ids[i] = r.data.uploadVideo.id;
        follow(i, ids[i]!);
      }
    });
    await Promise.all(uploads);
    const uploadsDone = Date.now();
    const ops = await cluster.infra();
    let ready = 0;
    let failed = 0;
    while (Date.now() - started < DEADLINE_MS) {
      const list = ids.filter((x): x is string => !!x);
      const rows = list.length ? ((await ops.ds.query(`SELECT status, COUNT(*) n FROM videos WHERE id IN (${list.map(() => '?').join(',')}) GROUP BY status`, list)) as { status: string; n: string }[]) : [];
      ready = Number(rows.find((r) => r.status === 'READY')?.n ?? 0);
      failed = Number(rows.find((r) => r.status === 'FAILED')?.n ?? 0);
      if (ready + failed >= ids.filter(Boolean).length) break;
      await sleep(1000);
    }
    const processedIn = Date.now() - uploadsDone;
    await sleep(3000); // the last READY events reach their subscribers
    reading = false;
    await Promise.all(readers);
    const peak = rss.stop();
    await Promise.all(subs.map((s) => s.client.dispose()));

    // Events: a subscriber's first event is the video's state when it subscribed (the snapshot);
    // from there on it should get every distinct event any subscriber of that video got. Events are
    // ordered by percent (never decreasing), then phase; repeats (the heartbeat) count once.
    const keyOf = (e: Ev) => `${e.videoProgress.percent}|${e.videoProgress.phase}|${e.videoProgress.status}`;
    const rank = (e: Ev) => [e.videoProgress.percent, progressPhases.indexOf(e.videoProgress.phase as ProgressPhase)] as const;
    const after = (a: Ev, b: Ev) => rank(a)[0] > rank(b)[0] || (rank(a)[0] === rank(b)[0] && rank(a)[1] >= rank(b)[1]);
    let expected = 0;
    let delivered = 0;
    for (let v = 0; v < UPLOADS; v++) {
      const mine = subs.filter((s) => s.video === v && s.events.length);
      const all = new Map<string, Ev>();
      for (const s of mine) for (const e of s.events) all.set(keyOf(e), e);
      for (const s of mine) {
        const got = new Set(s.events.map(keyOf));
        const due = [...all.values()].filter((e) => after(e, s.events[0]));
        expected += due.length;
        delivered += due.filter((e) => got.has(keyOf(e))).length;
      }
    }
    const silent = subs.filter((s) => !s.events.length).length;
    const reachedFinal = subs.filter((s) => s.final).length;
    const report = [
      '# Cluster load run',
      '',
      `\`npm run bench:cluster\` on ${new Date().toISOString().slice(0, 10)}: 2 API + 2 worker processes behind HAProxy on one 2-core machine shared with other work (loopback only; private Redis and MariaDB, S3 = Ceph RGW).`,
      `${UPLOADS} concurrent uploads (2 s 320x240 clips, ${bytes.length} bytes; half tus, half multipart), ${READERS} concurrent readers, ${subs.length} subscribers (${SUBSCRIBERS_PER_VIDEO} per uploaded video, one WebSocket each).`,
      '',
      `- uploads READY: ${ready} of ${UPLOADS} (${failed} FAILED), all processed ${Math.round(processedIn / 1000)} s after the last upload was accepted; errors over all operations: ${lat.errors()}`,
      `- subscribers that saw the final state: ${reachedFinal} of ${subs.length}; subscribers that got no event at all: ${silent}; events delivered from each subscriber's first (snapshot) event on: ${delivered} of ${expected} (${expected ? ((100 * delivered) / expected).toFixed(1) : '0'} %; distinct events any subscriber of the video got, heartbeat repeats counted once)`,
      `- whole run ${Math.round((Date.now() - started) / 1000)} s`,
      '',
      '| operation | count | errors | p50 ms | p99 ms | max ms |',
      '|---|---|---|---|---|---|',
      ...lat.rows(),
      '',
      ...(lat.samples.length ? ['First failures:', '', ...lat.samples.map((x) => `- ${x.replace(/\|/g, '/')}`), ''] : []),
      '| process | peak RSS MiB |',
      '|---|---|',
      ...[...peak].map(([name, kb]) => `| ${name} | ${(kb / 1024).toFixed(0)} |`),
      '',
    ].join('\n');
    process.stdout.write(`${report}\n`);
    await writeFile(path.resolve(__dirname, '../../bench/cluster-load.md'), report);
  } finally {
    await cluster.close();
    await media.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`cluster load run failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
