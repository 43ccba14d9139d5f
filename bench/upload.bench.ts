import 'reflect-metadata';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'minio';
import { dropDatabase, freePort, S3_ENV, uniqueName } from '../test/helpers/env';
import { signUp } from '../test/helpers/graphql';
import { createUpload, multipartBody, tusUpload, UPLOAD_MUTATION, uploadFile } from '../test/helpers/uploads';

const run$ = promisify(execFile);
const MiB = 1024 * 1024;

/**
 * `npm run bench upload`: one generated video (BENCH_UPLOAD_MB, default 1024) sent three ways to
 * the same S3 server — the minio client's putObject (baseline), `uploadVideo` (multipart) and tus —
 * against an API in its own process, whose RSS is sampled throughout. Prints throughput as a
 * ratio to the baseline (target ≥ 0.85, issue 12), the API's peak RSS growth (target < 64 MB) and
 * the CPU seconds the API process spent (on a shared machine, a steadier figure than the time).
 */
export async function run(): Promise<void> {
  const targetBytes = Number(process.env.BENCH_UPLOAD_MB ?? 1024) * MiB;
  const dir = await mkdtemp(path.join(tmpdir(), 'vp-bench-'));
  const id = uniqueName('vpb');
  const bucket = id.replace(/_/g, '-');
  const databaseUrl = `${process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'}/${id}`;
  let api: ChildProcess | null = null;
  const s3 = new URL(S3_ENV.S3_ENDPOINT);
  const minio = new Client({ endPoint: s3.hostname, port: Number(s3.port) || undefined, useSSL: false, accessKey: S3_ENV.S3_ACCESS_KEY, secretKey: S3_ENV.S3_SECRET_KEY, pathStyle: true });
  const clear = async () => {
    const keys: string[] = [];
    for await (const o of minio.listObjectsV2(bucket, '', true) as AsyncIterable<{ name?: string }>) if (o.name) keys.push(o.name);
    await minio.removeObjects(bucket, keys);
  };
  try {
    const { file, warmFile } = await generateVideo(dir, targetBytes);
    const size = (await stat(file)).size;
    process.stdout.write(`file: ${(size / MiB).toFixed(0)} MiB generated video (Matroska, MPEG-4 Part 2)\n`);

    const port = await freePort();
    // BENCH_API_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`): flags for the API process only.
    const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
    api = spawn(process.execPath, [...nodeArgs, path.resolve(__dirname, '../src/main.js')], {
      env: { ...process.env, ...S3_ENV, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true', REDIS_PREFIX: id, S3_BUCKET: bucket, MAX_UPLOAD_BYTES: String(size + MiB), UPLOAD_RATE_LIMIT: '100' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(url);
    const { token } = await signUp(url);
    const pid = api.pid!;
    // Warm-up (lazy module loading, JIT, connection pools) is not what the RSS figure is about.
    const warm = await uploadFile(url, token, warmFile, { title: 'warm-up' });
    if (warm.errors) throw new Error(`warm-up failed: ${JSON.stringify(warm.errors)}`);
    const warmTicket = await createUpload(url, token, { title: 'warm-up tus', sizeBytes: (await stat(warmFile)).size });
    await tusUpload(warmTicket.data!.createUpload.uploadUrl, token, warmFile);

    interface Result {
      name: string;
      seconds: number;
      mibPerSecond: number;
      rssGrowthMiB: number;
      apiCpuSeconds: number;
    }
    const measure = async (name: string, fn: () => Promise<void>): Promise<Result> => {
      await new Promise((r) => setTimeout(r, 1000)); // let the previous round's buffers go
      const before = rssOf(pid);
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
      const cpu0 = cpuSecondsOf(pid);
      const t0 = process.hrtime.bigint();
      await fn();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      clearInterval(timer);
      return { name, seconds, mibPerSecond: size / MiB / seconds, rssGrowthMiB: (peak - before) / MiB, apiCpuSeconds: cpuSecondsOf(pid) - cpu0 };
    };

    await clear();
    // Alternating rounds: the machine is shared, so one slow moment should not decide a ratio.
    const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
    const results: Result[][] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const baseline = await measure('minio putObject (baseline)', async () => {
        await minio.putObject(bucket, 'bench/baseline', createReadStream(file), size);
      });
      await clear();
      const multipart = await measure('uploadVideo (multipart)', async () => {
        const r = await streamMultipart(url, token, file, { title: `bench multipart ${round}`, sizeBytes: size });
        if (r.data?.uploadVideo.status !== 'QUEUED') throw new Error(`uploadVideo failed: ${JSON.stringify(r.errors)}`);
      });
      await clear();
      const resumable = await measure('tus (tus-js-client)', async () => {
        const t = await createUpload(url, token, { title: `bench tus ${round}`, sizeBytes: size, filename: 'bench.mkv' });
        if (!t.data) throw new Error(`createUpload failed: ${JSON.stringify(t.errors)}`);
        await tusUpload(t.data.createUpload.uploadUrl, token, file);
      });
      await clear();
      results.push([baseline, multipart, resumable]);
    }

    process.stdout.write('round  path                         seconds   MiB/s   ratio   API peak RSS growth   API CPU s\n');
    results.forEach((row, i) => {
      for (const r of row) {
        process.stdout.write(
          `${String(i + 1).padStart(5)}  ${r.name.padEnd(28)} ${r.seconds.toFixed(1).padStart(7)} ${r.mibPerSecond.toFixed(1).padStart(7)} ${(r.mibPerSecond / row[0].mibPerSecond).toFixed(2).padStart(7)}   ${(r === row[0] ? '(client side)' : `${r.rssGrowthMiB.toFixed(1)} MiB`).padEnd(19)} ${r.apiCpuSeconds.toFixed(2).padStart(9)}\n`,
        );
      }
    });
    const ratios = (i: number) => results.map((row) => row[i].mibPerSecond / row[0].mibPerSecond).sort((a, b) => a - b);
    const median = (xs: number[]) => xs[Math.floor((xs.length - 1) / 2)];
    const peak = (i: number) => Math.max(...results.map((row) => row[i].rssGrowthMiB));
    process.stdout.write(
      `summary (median ratio, max RSS growth): multipart ${median(ratios(1)).toFixed(2)}, ${peak(1).toFixed(1)} MiB; tus ${median(ratios(2)).toFixed(2)}, ${peak(2).toFixed(1)} MiB\n` +
        'targets: ratio >= 0.85, RSS growth < 64 MiB; upload times include validation (ffprobe) and the sha256\n',
    );
  } finally {
    api?.kill('SIGTERM');
    if (api) await new Promise((r) => api!.once('exit', r));
    await clear().catch(() => undefined);
    await minio.removeBucket(bucket).catch(() => undefined);
    await dropDatabase(databaseUrl).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A short noisy clip (large frames), looped with stream copy up to the target size. */
async function generateVideo(dir: string, bytes: number): Promise<{ file: string; warmFile: string }> {
  const base = path.join(dir, 'base.mkv');
  const out = path.join(dir, 'bench.mkv');
  const warm = path.join(dir, 'warm.mkv');
  await run$('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '5', '-vf', 'noise=alls=60:allf=t', '-c:v', 'mpeg4', '-q:v', '3', base]);
  await run$('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', base, '-c', 'copy', '-fs', String(bytes), out]);
  await run$('ffmpeg', ['-v', 'error', '-y', '-i', base, '-c', 'copy', '-fs', String(40 * MiB), warm]);
  await rm(base);
  return { file: out, warmFile: warm };
}

/**
 * `uploadVideo` with the file streamed by node:http, as a browser streams a form: the test
 * helper's fetch (a web stream over an async generator) spends about as much CPU per byte as
 * the API does, on the same two cores as the server being measured.
 */
async function streamMultipart(url: string, token: string, file: string, input: Record<string, unknown>): Promise<{ data?: { uploadVideo: { status: string } }; errors?: unknown }> {
  const boundary = `----vpbench${Date.now()}`;
  const body = multipartBody(boundary, { query: UPLOAD_MUTATION, variables: { file: null, input } }, { 0: ['variables.file'] }, [{ field: '0', filename: 'bench.mkv', body: createReadStream(file) }]);
  const text = await new Promise<string>((resolve, reject) => {
    const req = http.request(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      res.on('error', reject);
    });
    req.on('error', reject);
    body.on('error', (err) => req.destroy(err));
    body.pipe(req);
  });
  return JSON.parse(text) as { data?: { uploadVideo: { status: string } }; errors?: unknown };
}

/** utime + stime of a process, in seconds (Linux /proc; 0 elsewhere). */
function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('API did not start');
}

