import type { AuditRepository, AuditVideo } from '../db/repositories/audit.repository';
import { VideoStatus } from '../domain/video-status';
import type { JobQueue, LiveJob } from '../jobs/job-queue';
import { keyBeside, parseMediaPlaylist } from '../media/playlists';
import type { ObjectStorage, UnfinishedUpload } from '../storage/storage';
import { captionKey, publicPrefix, STORAGE_ROOTS, storedPrefixes, videoIdOfKey } from '../storage/keys';

export type FindingKind =
  | 'object-without-video'
  | 'failed-video-with-objects'
  | 'source-missing'
  | 'manifest-missing'
  | 'rendition-files-missing'
  | 'stuck-uploading'
  | 'stuck-queued'
  | 'stuck-processing'
  | 'job-for-missing-video'
  | 'unfinished-multipart-upload';

export interface Finding {
  kind: FindingKind;
  videoId: string | null;
  detail: string;
  /** `--fix` removes it (orphans only: objects, multipart uploads and jobs nothing refers to). */
  fixable: boolean;
  /** The job id of a job finding. */
  jobId?: string;
  /** The objects `--fix` removes, when not the whole video prefix. */
  keys?: string[];
  fixed?: boolean;
}

export interface AuditLimits {
  /** An UPLOADING row this long past its expiry was missed by the sweeper (uploads.cleanup). */
  uploadGraceMs: number;
  /** A QUEUED or PROCESSING row this long without a job to run it has lost its job. */
  jobGraceMs: number;
}

export interface AuditReport {
  problems: Finding[];
  checked: { videos: number; objects: number; renditions: number; jobs: number; unfinishedUploads: number };
  fixed: number;
}

interface Deps {
  repo: Pick<AuditRepository, 'videosAfter' | 'renditionsOf'>;
  storage: Pick<ObjectStorage, 'list' | 'get' | 'delete' | 'deletePrefix' | 'listUnfinishedUploads' | 'abortUnfinishedUpload'>;
  jobs: Pick<JobQueue, 'liveJobs' | 'remove'>;
  limits: AuditLimits;
}

const PAGE = 500;

/**
 * Compares storage keys (delivered files under `videos/`, originals under `sources/`), video rows,
 * rendition rows and queue jobs, both ways: objects and
 * multipart uploads without a video, videos without their objects, videos stuck in a state past
 * its limit, jobs for videos that are gone. Read-only unless `fix` is asked for, which removes
 * orphans only (never a row, never the objects of a live video). Safe against a running
 * platform: what is in flight (an upload's parts, a purge job's objects) is not reported.
 */
export class ConsistencyAudit {
  constructor(private readonly deps: Deps) {}

  async run(opts: { fix?: boolean; now?: Date } = {}): Promise<AuditReport> {
    const now = (opts.now ?? new Date()).getTime();
    const { storage, repo, jobs, limits } = this.deps;
    // Storage first, rows second: a video created in between has a row but no listed objects (fine);
    // objects whose row is not found are checked once more before they count.
    const keys: string[] = [];
    for (const root of STORAGE_ROOTS) keys.push(...(await storage.list(root)));
    const keysById = new Map<string, Set<string>>();
    for (const key of keys) {
      const id = videoIdOfKey(key) ?? '';
      if (!keysById.has(id)) keysById.set(id, new Set());
      keysById.get(id)!.add(key);
    }
    const unfinished: UnfinishedUpload[] = [];
    for (const root of STORAGE_ROOTS) unfinished.push(...(await storage.listUnfinishedUploads(root)));
    const live = await jobs.liveJobs();
    const liveByVideo = new Map<string, LiveJob[]>();
    for (const job of live) if (job.videoId) liveByVideo.set(job.videoId, [...(liveByVideo.get(job.videoId) ?? []), job]);
    const purging = (id: string) => (liveByVideo.get(id) ?? []).some((j) => j.name === 'video.purge');
    const transcoding = (id: string) => (liveByVideo.get(id) ?? []).some((j) => j.name === 'video.transcode');

    const problems: Finding[] = [];
    const rows = new Map<string, AuditVideo>();
    let renditions = 0;
    for (let after: string | null = null; ; ) {
      const page = await repo.videosAfter(after, PAGE);
      for (const v of page) rows.set(v.id, v);
      const ready = page.filter((v) => v.status === VideoStatus.READY);
      const rungs = await repo.renditionsOf(ready.map((v) => v.id));
      renditions += rungs.length;
      for (const v of page) problems.push(...this.checkRow(v, keysById.get(v.id) ?? new Set(), now, transcoding(v.id), purging(v.id)));
      for (const v of ready) {
        problems.push(...(await this.checkPublished(v, keysById.get(v.id) ?? new Set(), rungs.filter((r) => r.videoId === v.id))));
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].id;
    }

    for (const [id, objects] of keysById) {
      if (rows.has(id) || purging(id)) continue;
      const under = storedPrefixes(id).filter((prefix) => [...objects].some((k) => k.startsWith(prefix)));
      problems.push({ kind: 'object-without-video', videoId: id, detail: `${objects.size} object(s) under ${under.join(' and ')} and no video row`, fixable: true });
    }
    for (const job of live) {
      if (!job.videoId || job.name === 'video.purge' || rows.has(job.videoId)) continue;
      problems.push({ kind: 'job-for-missing-video', videoId: job.videoId, detail: `${job.name} job ${job.id} (${job.state}) for a video that does not exist`, fixable: job.state !== 'active', jobId: job.id });
    }
    for (const u of unfinished) {
      if (purging(videoIdOfKey(u.key) ?? '')) continue;
      const finding = this.checkUnfinished(u, rows, now);
      if (finding) problems.push(finding);
    }

    let fixed = 0;
    if (opts.fix) fixed = await this.fix(problems, unfinished);
    return {
      problems,
      checked: { videos: rows.size, objects: keys.length, renditions, jobs: live.length, unfinishedUploads: unfinished.length },
      fixed,
    };
  }

  private checkRow(v: AuditVideo, objects: Set<string>, now: number, hasJob: boolean, purging: boolean): Finding[] {
    const found: Finding[] = [];
    const age = now - v.updatedAt.getTime();
    const { uploadGraceMs, jobGraceMs } = this.deps.limits;
    switch (v.status) {
      case VideoStatus.UPLOADING:
        if (v.uploadExpiresAt && now - v.uploadExpiresAt.getTime() > uploadGraceMs) {
          found.push({ kind: 'stuck-uploading', videoId: v.id, detail: `UPLOADING ${Math.round((now - v.uploadExpiresAt.getTime()) / 1000)} s past its expiry`, fixable: false });
        }
        break;
      case VideoStatus.QUEUED:
      case VideoStatus.PROCESSING:
        if (!hasJob && age > jobGraceMs) {
          const kind = v.status === VideoStatus.QUEUED ? 'stuck-queued' : 'stuck-processing';
          found.push({ kind, videoId: v.id, detail: `${v.status} for ${Math.round(age / 1000)} s with no transcode job`, fixable: false });
        }
        break;
      case VideoStatus.FAILED: {
        // A failed video keeps what is its own rather than an encode's: the validated source (it
        // may be queued again) with its upload's bookkeeping beside it (tus keeps `<source>.info`),
        // and its caption tracks. Only an encode's outputs, in `public/`, are leftovers.
        const outputs = publicPrefix(v.id);
        const captions = captionKey(v.id, '');
        const leftovers = [...objects].filter((k) => k.startsWith(outputs) && !k.startsWith(captions));
        if (leftovers.length && !purging) {
          found.push({ kind: 'failed-video-with-objects', videoId: v.id, detail: `FAILED but ${leftovers.length} output object(s) remain, e.g. ${leftovers[0]}`, fixable: true, keys: leftovers });
        }
        break;
      }
      case VideoStatus.READY:
        break;
    }
    const needsSource = v.status === VideoStatus.QUEUED || v.status === VideoStatus.PROCESSING || v.status === VideoStatus.READY;
    if (needsSource && (!v.sourceKey || !objects.has(v.sourceKey))) {
      found.push({ kind: 'source-missing', videoId: v.id, detail: `${v.status} without its source object`, fixable: false });
    }
    return found;
  }

  /** A READY video's manifests, and every rung's playlist, init segment and media segments, are stored. */
  private async checkPublished(v: AuditVideo, objects: Set<string>, rungs: { height: number; playlistKey: string; initKey: string | null }[]): Promise<Finding[]> {
    const found: Finding[] = [];
    const missingManifests = [v.hlsKey, v.dashKey].filter((k): k is string => !k || !objects.has(k));
    if (!v.hlsKey || !v.dashKey || missingManifests.length) {
      found.push({ kind: 'manifest-missing', videoId: v.id, detail: `READY without ${[v.hlsKey ?? 'an HLS manifest', v.dashKey ?? 'a DASH manifest'].filter((k) => !k || !objects.has(k)).join(' and ')}`, fixable: false });
    }
    if (!rungs.length) found.push({ kind: 'rendition-files-missing', videoId: v.id, detail: 'READY without rendition rows', fixable: false });
    for (const rung of rungs) {
      const missing: string[] = [];
      if (!objects.has(rung.playlistKey)) missing.push(rung.playlistKey);
      else {
        try {
          const text = await readText(await this.deps.storage.get(rung.playlistKey));
          const files = parseMediaPlaylist(text);
          for (const uri of [files.init, ...files.segments.map((s) => s.uri)]) {
            const key = keyBeside(rung.playlistKey, uri);
            if (!objects.has(key)) missing.push(key);
          }
        } catch (err) {
          missing.push(`${rung.playlistKey} (unreadable: ${(err as Error).message})`);
        }
      }
      if (rung.initKey && !objects.has(rung.initKey)) missing.push(rung.initKey);
      if (missing.length) {
        found.push({ kind: 'rendition-files-missing', videoId: v.id, detail: `${rung.height}p: ${missing.length} file(s) missing, e.g. ${missing[0]}`, fixable: false });
      }
    }
    return found;
  }

  /** Parts of an upload to a live video are in flight (tus, a transcode's output); any other are orphans. */
  private checkUnfinished(u: UnfinishedUpload, rows: Map<string, AuditVideo>, now: number): Finding | null {
    const id = videoIdOfKey(u.key);
    const row = id ? rows.get(id) : undefined;
    const inFlight = row && (row.status === VideoStatus.UPLOADING || row.status === VideoStatus.PROCESSING);
    if (inFlight) {
      const stale = row.status === VideoStatus.UPLOADING && row.uploadExpiresAt && now - row.uploadExpiresAt.getTime() > this.deps.limits.uploadGraceMs;
      return stale ? { kind: 'unfinished-multipart-upload', videoId: id, detail: `${u.key}: parts of an expired upload`, fixable: false } : null;
    }
    return { kind: 'unfinished-multipart-upload', videoId: id, detail: `${u.key}: parts of an upload to a ${row ? `${row.status} video` : 'video that does not exist'}`, fixable: true };
  }

  private async fix(problems: Finding[], unfinished: UnfinishedUpload[]): Promise<number> {
    const { storage, jobs } = this.deps;
    let fixed = 0;
    for (const p of problems) {
      if (!p.fixable || !p.videoId) continue;
      if (p.kind === 'object-without-video') {
        for (const prefix of storedPrefixes(p.videoId)) await storage.deletePrefix(prefix);
      } else if (p.kind === 'failed-video-with-objects') {
        for (const key of p.keys ?? []) await storage.delete(key);
      } else if (p.kind === 'unfinished-multipart-upload') {
        for (const u of unfinished.filter((x) => videoIdOfKey(x.key) === p.videoId)) await storage.abortUnfinishedUpload(u);
      } else if (p.kind === 'job-for-missing-video') {
        if (!p.jobId || !(await jobs.remove(p.jobId))) continue;
      } else continue;
      p.fixed = true;
      fixed += 1;
    }
    return fixed;
  }
}

async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}
