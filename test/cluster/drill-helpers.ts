import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { VideoStatus } from '../../src/domain/video-status';
import { gql } from '../helpers/graphql';
import type { Cluster, Member } from './cluster';
import { sleep } from './processes';

const run = promisify(execFile);

/** The status of a video as the database holds it (the test's own connection, not the cluster's). */
export async function statusOf(cluster: Cluster, id: string): Promise<VideoStatus | null> {
  const ops = await cluster.infra();
  const rows = (await ops.ds.query('SELECT status FROM videos WHERE id = ?', [id])) as { status: VideoStatus }[];
  return rows[0]?.status ?? null;
}

export async function waitForStatus(cluster: Cluster, id: string, wanted: VideoStatus[], timeoutMs: number): Promise<VideoStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await statusOf(cluster, id).catch(() => null);
    if (status && wanted.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`video ${id} is ${status} after ${timeoutMs} ms, not ${wanted.join('/')}`);
    await sleep(500);
  }
}

/** The worker whose process is running ffmpeg right now, if any. */
export async function workerRunningFfmpeg(cluster: Cluster): Promise<Member | null> {
  for (const w of cluster.workers) {
    if (!w.running()) continue;
    const children = await run('pgrep', ['-P', String(w.proc.pid), 'ffmpeg']).then(
      (r) => r.stdout.trim(),
      () => '',
    );
    if (children) return w;
  }
  return null;
}

export async function waitForFfmpeg(cluster: Cluster, timeoutMs: number): Promise<Member> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const w = await workerRunningFfmpeg(cluster);
    if (w) return w;
    if (Date.now() > deadline) throw new Error(`no worker ran ffmpeg within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** ffmpeg processes still alive under a process id (its children). */
export async function ffmpegChildren(pid: number): Promise<number> {
  const out = await run('pgrep', ['-P', String(pid), 'ffmpeg']).then(
    (r) => r.stdout.trim(),
    () => '',
  );
  return out ? out.split('\n').length : 0;
}

/** A graphql-ws client that reconnects (through the load balancer) when its API goes away, as apps should. */
export function resilientClient(url: string, token: string): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 30,
    retryWait: async () => void (await sleep(500)),
    shouldRetry: () => true,
    lazy: true,
    connectionParams: { authorization: `Bearer ${token}` },
  });
}

type Ev = { videoProgress: { status: string; phase: string; percent: number } };

/**
 * Follows a video until READY or FAILED. Across reconnects the subscription is made again, and the
 * video's current status is read once per (re)connection, as a client that lost its socket does.
 */
export function follow(client: Client, cluster: Cluster, token: string, id: string, timeoutMs: number): Promise<{ events: Ev[]; final: string; reconnects: number }> {
  const events: Ev[] = [];
  let reconnects = -1;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (final: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      offConnected();
      dispose();
      resolve({ events, final, reconnects });
    };
    const timer = setTimeout(() => {
      settled = true;
      dispose();
      reject(new Error(`subscription to ${id}: no final state within ${timeoutMs} ms; last ${JSON.stringify(events.slice(-2))}`));
    }, timeoutMs);
    const offConnected = client.on('connected', () => {
      reconnects += 1;
      if (reconnects > 0) {
        void gql<{ video: { status: string } }>(cluster.url, 'query($id:ID!){ video(id:$id){ status } }', { id }, token).then((r) => {
          const s = r.data?.video.status;
          if (s === 'READY' || s === 'FAILED') finish(s);
        });
      }
    });
    const dispose = client.subscribe<Ev>(
      { query: 'subscription($id: ID!){ videoProgress(videoId: $id){ status phase percent } }', variables: { id } },
      {
        next: (msg) => {
          const ev = msg.data as Ev | undefined;
          if (!ev) return;
          events.push(ev);
          if (ev.videoProgress.status === 'READY' || ev.videoProgress.status === 'FAILED') finish(ev.videoProgress.status);
        },
        error: (err) => {
          if (!settled) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        },
        complete: () => undefined,
      },
    );
  });
}

/** Times one request; resolves with how long it took and how it ended (never rejects). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: string }> {
  const started = Date.now();
  try {
    const value = await fn();
    return { ms: Date.now() - started, value };
  } catch (err) {
    return { ms: Date.now() - started, error: (err as Error).message };
  }
}
