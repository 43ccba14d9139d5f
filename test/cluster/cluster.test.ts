import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { collect, gql, signUp, wsClient } from '../helpers/graphql';
import { mediaDir, type MediaDir } from '../helpers/media';
import { trickle, tusHeaders } from '../helpers/slow-client';
import { createUpload, tusRequest } from '../helpers/uploads';
import { startCluster, type Cluster } from './cluster';
import { sleep } from './processes';

type Ev = { videoProgress: { status: string; phase: string; percent: number } };
const PROGRESS = 'subscription($id: ID!){ videoProgress(videoId: $id){ status phase percent } }';

/** Queries an API process has answered (its own /metrics, not through the load balancer). */
async function graphqlCount(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return [...text.matchAll(/^graphql_operations_total\{[^}]*type="query"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

async function headOffset(url: string, token: string): Promise<number> {
  const res = await tusRequest(url, 'HEAD', { authorization: `Bearer ${token}` });
  assert.equal(res.status, 200);
  return Number(res.headers.get('upload-offset'));
}

describe('cluster: 2 APIs and 2 workers behind HAProxy', { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let media: MediaDir;
  let token: string;
  let clip: Buffer;
  before(async () => {
    cluster = await startCluster();
    media = await mediaDir();
    clip = await readFile(await media.clip('cluster.mp4', { size: '640x360', seconds: 4, extra: ['-b:v', '2M'] }));
    ({ token } = await signUp(cluster.url));
  });
  after(async () => {
    await cluster?.close();
    await media?.cleanup();
  });

  const ticket = async (title: string) => {
    const r = await createUpload(cluster.url, token, { title, filename: 'cluster.mp4', sizeBytes: clip.length, visibility: 'PUBLIC' });
    assert.ok(r.data, JSON.stringify(r.errors));
    const id = r.data.createUpload.video.id;
    return { id, lb: r.data.createUpload.uploadUrl, on: (i: number) => `${cluster.apis[i].url}/uploads/${id}` };
  };
  const sourceSha = async (id: string) => {
    const ops = await cluster.infra();
    const [row] = (await ops.ds.query('SELECT status, source_sha256 FROM videos WHERE id = ?', [id])) as { status: string; source_sha256: string }[];
    return row;
  };

  it('round-robins requests over both APIs', async () => {
    const typename = '{ __typename }';
    const before = await Promise.all(cluster.apis.map((a) => graphqlCount(a.url)));
    for (let i = 0; i < 6; i++) assert.equal((await gql(cluster.url, typename)).status, 200);
    const after = await Promise.all(cluster.apis.map((a) => graphqlCount(a.url)));
    const served = after.map((n, i) => n - before[i]);
    assert.ok(served.every((n) => n >= 2), `queries per API: ${served.join(', ')}`);
  });

  it('continues one tus upload with PATCH and HEAD on alternating APIs, and through the load balancer', async () => {
    const t = await ticket('Alternating');
    assert.ok(t.lb.startsWith(cluster.url), t.lb);
    const q = Math.floor(clip.length / 4);
    assert.equal((await tusRequest(t.on(0), 'PATCH', tusHeaders(token, 0), clip.subarray(0, q))).status, 204);
    assert.equal(await headOffset(t.on(1), token), q);
    assert.equal((await tusRequest(t.on(1), 'PATCH', tusHeaders(token, q), clip.subarray(q, 2 * q))).status, 204);
    // Through the load balancer: consecutive requests land on alternate processes.
    assert.equal(await headOffset(t.lb, token), 2 * q);
    assert.equal((await tusRequest(t.lb, 'PATCH', tusHeaders(token, 2 * q), clip.subarray(2 * q, 3 * q))).status, 204);
    assert.equal(await headOffset(t.lb, token), 3 * q);
    const last = await tusRequest(t.lb, 'PATCH', tusHeaders(token, 3 * q), clip.subarray(3 * q));
    assert.equal(last.status, 204, await last.text());
    const row = await sourceSha(t.id);
    assert.ok(['QUEUED', 'PROCESSING', 'READY'].includes(row.status), row.status);
    assert.equal(row.source_sha256, createHash('sha256').update(clip).digest('hex'));
  });

  it('lets one of two PATCHes sent at once to both APIs write; the other waits or is refused, never interleaves', async () => {
    const t = await ticket('Concurrent');
    const slow = trickle(t.on(0), 'PATCH', tusHeaders(token, 0), clip, 16, 300);
    await sleep(500);
    const fast = await tusRequest(t.on(1), 'PATCH', tusHeaders(token, 0), clip);
    const held = await slow;
    assert.ok([204, 409, 423].includes(fast.status), `second PATCH: ${fast.status}`);
    assert.ok(held.status !== 204 || fast.status !== 204, 'both cannot have written');
    const offset = await headOffset(t.lb, token);
    if (offset < clip.length) assert.equal((await tusRequest(t.lb, 'PATCH', tusHeaders(token, offset), clip.subarray(offset))).status, 204);
    assert.equal((await sourceSha(t.id)).source_sha256, createHash('sha256').update(clip).digest('hex'));
  });

  it('relays to a subscriber on API 1 every event of a video uploaded through API 2', async () => {
    const t = await ticket('Followed');
    const clients = cluster.apis.map((a) => wsClient(a.url, token));
    const done = (e: Ev) => ['READY', 'FAILED'].includes(e.videoProgress.status);
    const subs = clients.map((c) => collect<Ev>(c, PROGRESS, { id: t.id }, done, 180_000));
    await Promise.all(subs.map((s) => s.ready));
    await sleep(300);
    assert.equal((await tusRequest(t.on(1), 'PATCH', tusHeaders(token, 0), clip)).status, 204);
    const [onApi1, onApi2] = await Promise.all(subs.map((s) => s.done));
    await Promise.all(clients.map((c) => c.dispose()));
    const phases = new Set(onApi1.map((e) => `${e.videoProgress.status}/${e.videoProgress.phase}`));
    assert.equal(onApi1.at(-1)?.videoProgress.status, 'READY', JSON.stringify(onApi1.slice(-3)));
    for (const p of ['UPLOADING/UPLOAD', 'PROCESSING/TRANSCODE', 'READY/DONE']) assert.ok(phases.has(p), `${p} in ${[...phases].join(' ')}`);
    assert.ok([...phases].some((p) => p.startsWith('QUEUED/')), `QUEUED in ${[...phases].join(' ')}`);
    // Both APIs relay the same stream, whichever process published each event.
    assert.deepEqual(onApi1, onApi2);
    const r = await gql<{ video: { status: string } }>(cluster.url, 'query($id:ID!){ video(id:$id){ status } }', { id: t.id }, token);
    assert.equal(r.data?.video.status, 'READY');
  });
});
