import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { VideoStatus } from '../../src/domain/video-status';
import { jobIdFor } from '../../src/jobs/job-types';
import { JobQueue } from '../../src/jobs/job-queue';
import { publicPrefix } from '../../src/storage/keys';
import { eventuallyAuditClean } from '../helpers/audit';
import { gql, signUp } from '../helpers/graphql';
import { mediaDir, type MediaDir } from '../helpers/media';
import { trickle, tusHeaders } from '../helpers/slow-client';
import { createUpload, tusRequest, tusUpload, uploadAndDisconnect, uploadFile, UPLOAD_MUTATION, multipartBody } from '../helpers/uploads';
import { startCluster, type Cluster } from './cluster';
import { ffmpegChildren, follow, resilientClient, statusOf, timed, waitForFfmpeg, waitForStatus } from './drill-helpers';
import { sleep } from './processes';

/**
 * Fault drills on the cluster (2 APIs, 2 workers, HAProxy, private Redis and MariaDB, S3 behind a
 * cuttable proxy). Each drill breaks one thing while work is in flight, checks what the platform
 * does, and ends with the consistency audit reporting nothing.
 */
describe('fault drills', { timeout: 900_000 }, () => {
  let cluster: Cluster;
  let media: MediaDir;
  let token: string;
  let clip: string;
  let longClip: string;
  before(async () => {
    // Short sweeps so the drills see them; TRANSCODE_PRESET ultrafast keeps encodes short on 2 cores.
    cluster = await startCluster({ env: { UPLOAD_CLEANUP_INTERVAL_SECONDS: '5', UPLOAD_EXPIRY_SECONDS: '180' } });
    media = await mediaDir();
    clip = await media.clip('drill.mp4', { size: '320x240', seconds: 3 });
    // Long enough to be killed mid-transcode.
    longClip = await media.clip('long.mp4', { size: '640x360', seconds: 20 });
    ({ token } = await signUp(cluster.url));
  });
  after(async () => {
    await cluster?.close();
    await media?.cleanup();
  });

  // Every drill starts from the whole topology, even after one that failed half-way.
  beforeEach(async () => {
    for (const m of [...cluster.apis, ...cluster.workers]) if (!m.running()) await m.restart();
    for (const s of [cluster.redis, cluster.mysql]) if (!s.running()) await s.start();
    cluster.s3.up();
  });

  const audit = async (label: string, timeoutMs = 90_000) => {
    const ops = await cluster.infra();
    await eventuallyAuditClean(cluster.config, ops, timeoutMs, label);
  };
  const upload = async (file: string, title: string): Promise<string> => {
    const r = await uploadFile(cluster.url, token, file, { title, visibility: 'PUBLIC' });
    assert.ok(r.data, `upload ${title}: ${JSON.stringify(r.errors)}`);
    return r.data.uploadVideo.id;
  };
  const generations = async (id: string): Promise<string[]> => {
    const ops = await cluster.infra();
    const keys = await ops.storage.list(publicPrefix(id));
    return [...new Set(keys.map((k) => k.split('/')[3]).filter((g) => g && !g.includes('.')))];
  };
  /** READY is written before the older generations are removed: the published one is soon the only one. */
  const oneGeneration = async (id: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while ((await generations(id)).length !== 1) {
      assert.ok(Date.now() < deadline, `one published generation: ${await generations(id)}`);
      await sleep(500);
    }
  };

  it('1. a worker SIGKILLed mid-transcode: the other worker finishes it, nothing of the killed attempt stays', async () => {
    const id = await upload(longClip, 'Drill 1');
    const victim = await waitForFfmpeg(cluster, 60_000);
    await sleep(1000);
    await victim.crash();
    const started = Date.now();
    await waitForStatus(cluster, id, [VideoStatus.READY], 180_000);
    const took = Date.now() - started;
    await oneGeneration(id);
    await victim.restart();
    await audit('drill 1');
    process.stdout.write(`# drill 1: READY ${Math.round(took / 1000)} s after the kill\n`);
  });

  it('7. SIGTERM on a worker mid-transcode stops ffmpeg promptly; the job runs again elsewhere', async () => {
    const id = await upload(longClip, 'Drill 7');
    const victim = await waitForFfmpeg(cluster, 60_000);
    const pid = victim.proc.pid;
    await sleep(1000);
    const started = Date.now();
    const exit = await victim.kill('SIGTERM');
    const stoppedIn = Date.now() - started;
    assert.equal(await ffmpegChildren(pid), 0, 'no ffmpeg outlives the worker');
    assert.ok(stoppedIn < 10_000, `the worker took ${stoppedIn} ms to stop (${exit})`);
    await waitForStatus(cluster, id, [VideoStatus.READY], 180_000);
    await oneGeneration(id);
    const ops = await cluster.infra();
    const jobs = new JobQueue(ops.redis, cluster.config.redisPrefix);
    const job = await jobs.queue.getJob(jobIdFor('video.transcode', id));
    // READY is written inside the handler; BullMQ marks the job completed a moment after it returns.
    let state = await job?.getState();
    for (const deadline = Date.now() + 30_000; state === 'active' && Date.now() < deadline; state = await job?.getState()) await sleep(250);
    await jobs.close();
    assert.equal(state, 'completed');
    await victim.restart();
    await audit('drill 7');
    process.stdout.write(`# drill 7: worker stopped ${stoppedIn} ms after SIGTERM; job ${job?.attemptsMade} attempt(s) counted\n`);
  });

  it('2. Redis stopped for 20 s: requests fail fast or fall back to MySQL, /readyz says so, nothing is lost', async () => {
    const before = await upload(clip, 'Drill 2 before');
    await waitForStatus(cluster, before, [VideoStatus.READY], 120_000);
    const inFlight = await upload(longClip, 'Drill 2 in flight');
    const client = resilientClient(cluster.url, token);
    const followed = follow(client, cluster, token, inFlight, 240_000);
    await sleep(1500);
    await cluster.redis.stop();
    const outageStart = Date.now();
    const samples: { what: string; ms: number; ok: boolean }[] = [];
    const acknowledged: string[] = [];
    while (Date.now() - outageStart < 20_000) {
      const read = await timed(() => gql<{ video: { status: string } }>(cluster.url, 'query($id:ID!){ video(id:$id){ id status title } }', { id: before }, token));
      samples.push({ what: 'video', ms: read.ms, ok: read.value?.data?.video?.status === 'READY' });
      const ready = await timed(() => fetch(`${cluster.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.text() })));
      samples.push({ what: 'readyz', ms: ready.ms, ok: ready.value?.status === 503 && /redis/.test(ready.value.body) });
      const up = await timed(() => uploadFile(cluster.url, token, clip, { title: 'Drill 2 during', visibility: 'PUBLIC' }));
      samples.push({ what: 'upload', ms: up.ms, ok: true });
      if (up.value?.data) acknowledged.push(up.value.data.uploadVideo.id);
      await sleep(1000);
    }
    await cluster.redis.start();
    const slowest = Math.max(...samples.map((s) => s.ms));
    assert.ok(slowest < 6000, `a request took ${slowest} ms during the outage: ${JSON.stringify(samples.filter((s) => s.ms >= 6000))}`);
    assert.ok(samples.filter((s) => s.what === 'video').every((s) => s.ok), `metadata reads fall back to MySQL: ${JSON.stringify(samples.filter((s) => s.what === 'video'))}`);
    assert.ok(samples.filter((s) => s.what === 'readyz').every((s) => s.ok), '/readyz reports Redis down');
    const final = await followed;
    await client.dispose();
    assert.equal(final.final, 'READY', 'the subscriber reaches the final state');
    for (const id of [inFlight, ...acknowledged]) await waitForStatus(cluster, id, [VideoStatus.READY], 180_000);
    await audit('drill 2');
    process.stdout.write(`# drill 2: slowest request ${slowest} ms during the outage; ${acknowledged.length} upload(s) acknowledged during it, all READY\n`);
  });

  it('3. S3 cut during an upload: a clear error, no parts or rows left behind, the next upload works', async () => {
    const big = Buffer.alloc(24 * 1024 * 1024, 7);
    const boundary = '----vpdrill3';
    const chunks: Buffer[] = [];
    for await (const c of multipartBody(boundary, { query: UPLOAD_MUTATION, variables: { file: null, input: { title: 'Drill 3 cut' } } }, { 0: ['variables.file'] }, [
      { field: '0', filename: 'big.mp4', body: big, contentType: 'video/mp4' },
    ]) as AsyncIterable<Buffer>) {
      chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    }
    const body = Buffer.concat(chunks);
    const sending = trickle(
      `${cluster.url}/graphql`,
      'POST',
      { 'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
      body,
      24,
      250,
    );
    await sleep(2500);
    cluster.s3.down();
    const result = await sending;
    await sleep(3000);
    cluster.s3.up();
    // Storage's failure, coded as such (retryable, not the client's BAD_USER_INPUT), or a refused request; never a video.
    const answer = result.body ? (JSON.parse(result.body) as { data?: { uploadVideo: unknown } | null; errors?: { extensions?: { code?: string } }[] }) : null;
    assert.ok(!answer?.data?.uploadVideo, JSON.stringify(result));
    assert.ok(result.status === null || answer?.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE', JSON.stringify(result));
    // A tus upload whose store is unreachable fails its PATCH and resumes later.
    const ticket = await createUpload(cluster.url, token, { title: 'Drill 3 tus', filename: 'drill.mp4', sizeBytes: (await readFile(clip)).length, visibility: 'PUBLIC' });
    assert.ok(ticket.data);
    cluster.s3.down();
    const bytes = await readFile(clip);
    const failed = await tusRequest(ticket.data.createUpload.uploadUrl, 'PATCH', tusHeaders(token, 0), bytes);
    assert.ok(failed.status >= 500, `PATCH with S3 down: ${failed.status}`);
    cluster.s3.up();
    await tusUpload(ticket.data.createUpload.uploadUrl, token, bytes);
    const after = await upload(clip, 'Drill 3 after');
    await waitForStatus(cluster, after, [VideoStatus.READY], 120_000);
    await waitForStatus(cluster, ticket.data.createUpload.video.id, [VideoStatus.READY], 120_000);
    await audit('drill 3');
    process.stdout.write(`# drill 3: the cut upload answered ${result.status ?? result.error} ${answer?.errors?.[0]?.extensions?.code ?? ''} after ${result.ms} ms\n`);
  });

  it('4. MySQL stopped and started: requests fail fast with codes, readiness 503, everything recovers', async () => {
    const id = await upload(longClip, 'Drill 4');
    await sleep(1500);
    await cluster.mysql.stop();
    const samples: { ms: number; status?: number; code?: string }[] = [];
    const outageStart = Date.now();
    while (Date.now() - outageStart < 10_000) {
      const q = await timed(() => gql(cluster.url, '{ videos(first: 5) { edges { node { id } } } }', {}, token));
      samples.push({ ms: q.ms, status: q.value?.status, code: q.value?.errors?.[0]?.extensions?.code });
      const ready = await fetch(`${cluster.url}/readyz`);
      samples.push({ ms: 0, status: ready.status });
      await ready.text();
      await sleep(1000);
    }
    await cluster.mysql.start();
    const slowest = Math.max(...samples.map((s) => s.ms));
    assert.ok(slowest < 6000, `slowest request during the outage: ${slowest} ms`);
    assert.ok(samples.filter((s) => s.ms === 0).every((s) => s.status === 503), 'readiness 503');
    assert.ok(samples.filter((s) => s.ms > 0).every((s) => s.code !== undefined || s.status !== 200), JSON.stringify(samples));
    // Recovers by itself.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await gql(cluster.url, '{ videos(first: 5) { edges { node { id } } } }', {}, token).catch(() => null);
      if (r?.data) break;
      assert.ok(Date.now() < deadline, 'the API recovers within 30 s');
      await sleep(500);
    }
    await waitForStatus(cluster, id, [VideoStatus.READY], 180_000);
    await audit('drill 4');
    process.stdout.write(`# drill 4: slowest request during the outage ${slowest} ms\n`);
  });

  it('5. an API SIGKILLed with uploads in flight and subscribers: uploads resume elsewhere, subscribers reach the end', async () => {
    const big = await media.clip('big.mp4', { size: '640x360', seconds: 8, extra: ['-b:v', '12M'] });
    const bytes = await readFile(big);
    const ticket = await createUpload(cluster.url, token, { title: 'Drill 5', filename: 'big.mp4', sizeBytes: bytes.length, visibility: 'PUBLIC' });
    assert.ok(ticket.data);
    const id = ticket.data.createUpload.video.id;
    const clients = [resilientClient(cluster.url, token), resilientClient(cluster.url, token)];
    const followers = clients.map((c) => follow(c, cluster, token, id, 240_000));
    await sleep(1000);
    let killed = false;
    const uploading = new Promise<void>((resolve, reject) => {
      void import('tus-js-client').then((tus) => {
        const u = new tus.Upload(bytes, {
          uploadUrl: ticket.data!.createUpload.uploadUrl,
          uploadSize: bytes.length,
          headers: { authorization: `Bearer ${token}` },
          chunkSize: 256 * 1024,
          retryDelays: [500, 1000, 2000, 3000, 5000, 5000, 5000, 5000],
          onProgress: (sent) => {
            if (!killed && sent > bytes.length / 4) {
              killed = true;
              void cluster.apis[0].crash();
            }
          },
          onError: reject,
          onSuccess: () => resolve(),
        });
        u.start();
      });
    });
    await uploading;
    assert.ok(killed, 'the API was killed mid-upload');
    const results = await Promise.all(followers);
    await Promise.all(clients.map((c) => c.dispose()));
    for (const r of results) assert.equal(r.final, 'READY');
    await cluster.apis[0].restart();
    await audit('drill 5');
    process.stdout.write(`# drill 5: upload resumed through the other API; subscribers reconnected ${results.map((r) => r.reconnects).join(', ')} time(s)\n`);
  });

  it('6. clients disconnecting mid-multipart and mid-tus leave no orphan; the tus upload resumes later', async () => {
    await uploadAndDisconnect(cluster.url, token, 2 * 1024 * 1024, { title: 'Drill 6 multipart' });
    const bytes = await readFile(clip);
    const ticket = await createUpload(cluster.url, token, { title: 'Drill 6 tus', filename: 'drill.mp4', sizeBytes: bytes.length, visibility: 'PUBLIC' });
    assert.ok(ticket.data);
    const cut = await trickle(ticket.data.createUpload.uploadUrl, 'PATCH', tusHeaders(token, 0), bytes, 4, 300, 2, true);
    assert.notEqual(cut.status, 204);
    await audit('drill 6, mid-way', 30_000);
    await tusUpload(ticket.data.createUpload.uploadUrl, token, bytes);
    await waitForStatus(cluster, ticket.data.createUpload.video.id, [VideoStatus.READY], 120_000);
    assert.equal(await statusOf(cluster, ticket.data.createUpload.video.id), VideoStatus.READY);
    await audit('drill 6');
  });
});
