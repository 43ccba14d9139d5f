import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { VideoStatus } from '../../src/domain/video-status';
import { startStack, type TestStack } from '../helpers/env';
import { gql, signUp } from '../helpers/graphql';
import { mediaDir, waitForStatus, type MediaDir } from '../helpers/media';
import { uploadFile } from '../helpers/uploads';

const ROOT = path.resolve(__dirname, '../../..');
const PROMETHEUS = path.join(ROOT, 'deploy/prometheus/prometheus.yml');
const DASHBOARD = path.join(ROOT, 'deploy/grafana/dashboards/video-platform.json');
const run = promisify(execFile);

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'le']);

/** Metric names a PromQL expression selects: identifiers that are not functions, keywords or labels. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((w) => !PROMQL_WORDS.has(w));
}

/** Sample names in a Prometheus text exposition. */
function samples(text: string): Set<string> {
  return new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)?.[0] ?? ''));
}

function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `) || l.startsWith(`${sample}{`));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}

describe('observability: Prometheus config and the Grafana dashboard', () => {
  it('promtool accepts deploy/prometheus/prometheus.yml (and refuses a broken one)', async () => {
    const { stdout } = await run('promtool', ['check', 'config', PROMETHEUS]);
    assert.match(stdout, /SUCCESS/);
    const dir = await mkdtemp(path.join(tmpdir(), 'vp-prom-'));
    try {
      const broken = path.join(dir, 'prometheus.yml');
      await writeFile(broken, (await readFile(PROMETHEUS, 'utf8')).replace('scrape_interval: 15s', 'scrape_interval: soon'));
      await assert.rejects(run('promtool', ['check', 'config', broken]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads metric names out of PromQL the way the dashboard uses it', () => {
    assert.deepEqual(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m])))'), ['http_request_duration_seconds_bucket']);
    assert.deepEqual(metricNames('sum(rate(a_total{x=~"b|c"}[5m])) / sum(rate(d_total[5m]))'), ['a_total', 'd_total']);
  });

  describe('after one upload is processed', () => {
    let stack: TestStack;
    let media: MediaDir;
    let apiMetrics = '';
    let workerMetrics = '';
    let fileSize = 0;

    before(async () => {
      [stack, media] = await Promise.all([startStack({ worker: true, env: { WORKER_METRICS_PORT: '0' } }), mediaDir()]);
      const { token } = await signUp(stack.url, 'Metrics');
      const clip = await media.clip('metrics.mp4', { seconds: 2 });
      fileSize = statSync(clip).size;
      const up = await uploadFile(stack.url, token, clip, { title: 'Metrics', visibility: 'PUBLIC' });
      assert.equal(up.errors, undefined);
      await waitForStatus(stack, up.data!.uploadVideo.id, [VideoStatus.READY]);
      // …and is looked at once (the metadata cache's counters start with the first lookup).
      await gql(stack.url, 'query($id:ID!){ video(id:$id){ id } }', { id: up.data!.uploadVideo.id });
      const ws = new WebSocket(`${stack.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      apiMetrics = await (await fetch(`${stack.url}/metrics`)).text();
      ws.close();
      assert.ok(stack.worker?.metricsUrl, 'the worker serves /metrics when WORKER_METRICS_PORT is set');
      // READY is written before the job's completion event fires in the worker: wait for it.
      const until = Date.now() + 30_000;
      do {
        workerMetrics = await (await fetch(`${stack.worker.metricsUrl}/metrics`)).text();
        if (value(workerMetrics, 'transcode_media_seconds_total') > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      } while (Date.now() < until);
    });
    after(async () => {
      await stack?.close();
      await media?.cleanup();
    });

    it('exports every metric the dashboard queries (API or worker /metrics)', async () => {
      const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
      const exported = new Set([...samples(apiMetrics), ...samples(workerMetrics)]);
      const queried = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr).map((name) => ({ name, panel: p.title }))));
      assert.ok(queried.length >= 12);
      for (const { name, panel } of queried) assert.ok(exported.has(name), `panel "${panel}" queries ${name}, which no /metrics exports`);
    });

    it('counted the upload, the wait, the transcode and the time to READY', () => {
      assert.ok(value(apiMetrics, 'upload_bytes_total') >= fileSize, `upload bytes ${value(apiMetrics, 'upload_bytes_total')} < ${fileSize}`);
      assert.equal(value(apiMetrics, 'uploads_in_flight'), 0);
      assert.equal(value(apiMetrics, 'websocket_connections'), 1);
      assert.equal(value(workerMetrics, 'transcode_queue_wait_seconds_count'), 1);
      assert.equal(value(workerMetrics, 'video_time_to_ready_seconds_count'), 1);
      assert.equal(value(workerMetrics, 'video_time_to_playable_seconds_count'), 1);
      assert.ok(value(workerMetrics, 'transcode_media_seconds_total') > 1.5, 'the clip is 2 s long');
      assert.ok(value(workerMetrics, 'transcode_seconds_total') > 0);
      assert.ok(!Number.isNaN(value(workerMetrics, 'queue_jobs')));
    });
  });
});
