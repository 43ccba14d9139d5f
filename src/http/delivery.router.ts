import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { VideoCache } from '../cache/video-cache';
import type { PlaybackConfig } from '../config/config';
import type { Logger } from '../config/logger';
import { fileType } from '../media/file-types';
import { cacheControl, downloadCacheControl, notModified, rewriteVtt, safeDeliveryPath } from '../playback/delivery-rules';
import { needsRewrite, rewriteHls, rewriteMpd, withQuery, type ManifestRewrite } from '../playback/manifest-rewrite';
import type { ViewCounter } from '../playback/view-counter';
import { CAPTIONS_FOLDER, downloadHeightOf, publicKey, publicPathOf } from '../storage/keys';
import type { ObjectStorage } from '../storage/storage';
import { Visibility } from '../domain/video-status';
import { parseVideoId } from '../domain/video-id';
import { MediaSigner } from '../playback/media-signer';
import { AppError, isOutage, serviceUnavailable, STORAGE_UNAVAILABLE_MESSAGE } from '../errors';
import { downloadFilename } from '../playback/downloads';
import { THUMBNAIL_FILES } from '../playback/thumbnail-rules';
import type { ThumbnailService } from '../playback/thumbnails';
import { canDownload } from '../videos/video-access';
import { sendAppError } from './error-status';
import { StatCache } from '../playback/stat-cache';

export interface DeliveryDeps {
  cache: VideoCache;
  storage: ObjectStorage;
  signer: MediaSigner;
  views: ViewCounter;
  config: PlaybackConfig;
  logger: Logger;
  thumbnails: Pick<ThumbnailService, 'keyFor'>;
  /** Who a request is, for rate limits: the signed-in user, else the client address. */
  clientOf: (req: Request) => Promise<string>;
}

// Manifests are parsed in memory to rewrite them; anything bigger is not a manifest we wrote.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** GET /videos/:id/<path>: a video's deliverables, streamed from storage (or redirected to a CDN). */
export function deliveryRouter(deps: DeliveryDeps): Router {
  const router = Router();
  const stats = new StatCache();
  router.get('/videos/:id/*path', (req, res) => {
    serve(deps, stats, req, res).catch((err: unknown) => {
      if (err instanceof AppError && !res.headersSent) return sendAppError(res, err);
      // Storage unreachable: 503 with Retry-After, which players and CDNs retry.
      if (isOutage(err) && !res.headersSent) {
        deps.logger.warn({ err, url: req.originalUrl }, 'delivery: storage unavailable');
        return sendAppError(res, serviceUnavailable(STORAGE_UNAVAILABLE_MESSAGE));
      }
      deps.logger.error({ err, url: req.originalUrl }, 'delivery failed');
      if (!res.headersSent) res.status(502).type('text/plain').send('Storage unavailable');
      else res.destroy();
    });
  });
  return router;
}

const fail = (res: Response, status: number, message: string) =>
  void res.status(status).set('Cache-Control', 'no-store').type('text/plain').send(message);

async function serve(deps: DeliveryDeps, stats: StatCache, req: Request, res: Response): Promise<void> {
  const id = parseVideoId(String(req.params.id));
  const segments = req.params.path as unknown as string[];
  const relPath = safeDeliveryPath(Array.isArray(segments) ? segments : [String(segments)]);
  if (!id) return fail(res, 404, 'Not found');
  if (!relPath) return fail(res, 400, 'Bad path');
  const type = fileType(relPath);
  if (!type) return fail(res, 404, 'Not found');

  const { token, maxHeight: rawMax } = req.query;
  if ((token !== undefined && typeof token !== 'string') || (rawMax !== undefined && typeof rawMax !== 'string')) {
    return fail(res, 400, 'Bad query');
  }
  const maxHeight = rawMax === undefined ? null : Number(rawMax);
  if (maxHeight !== null && !(Number.isInteger(maxHeight) && maxHeight > 0 && maxHeight <= 10_000)) return fail(res, 400, 'Bad maxHeight');
  const downloadHeight = downloadHeightOf(relPath);
  // A token, when sent, is checked before the video is looked up: a bad one answers the same
  // whether the video exists or not. Downloads also take the owner's token.
  let ownerToken = false;
  if (token !== undefined) {
    let check = deps.signer.verify(id, token);
    if (check === 'invalid' && downloadHeight !== null) {
      check = deps.signer.verify(id, token, undefined, 'owner');
      ownerToken = check === 'ok';
    }
    if (check !== 'ok') return fail(res, 403, check === 'expired' ? 'Token expired' : 'Invalid token');
  }
  const record = await deps.cache.get(id);
  const video = record?.video;
  if (!video) return fail(res, 404, 'Not found');
  const isPrivate = video.visibility === Visibility.PRIVATE;
  if (isPrivate && token === undefined) return fail(res, 404, 'Not found');
  if (downloadHeight !== null && !canDownload(video, ownerToken ? video.ownerId : null)) return fail(res, 403, 'Downloads are off for this video');

  // A thumbnail at any time is served as the stored frame it resolves to (made on first request).
  const key = relPath in THUMBNAIL_FILES ? await deps.thumbnails.keyFor(record, relPath, req.query, () => deps.clientOf(req)) : publicKey(id, relPath);
  const left = token ? MediaSigner.secondsLeft(token) : null;
  const rewrite: ManifestRewrite = { maxHeight: type.kind === 'manifest' ? maxHeight : null, query: isPrivate && token ? `token=${token}` : null };
  // Caption files are served as stored: their text is the viewer's, never a list of URIs.
  const rewriting = type.kind !== 'media' && !isCaptionFile(relPath) && needsRewrite(rewrite);
  res.set({
    'Cache-Control':
      downloadHeight === null
        ? // A caption file never changes under its name (a replaced track gets a new one): cached like media.
          cacheControl(isCaptionFile(relPath) ? 'media' : type.kind, video.visibility, deps.config.manifestMaxAgeSeconds, left)
        : downloadCacheControl(video.visibility, !video.allowDownload, left),
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Content-Length, Content-Range, ETag',
  });

  // A play start is a GET of the master manifest (HLS or DASH) that is answered.
  const countView = () => {
    if (req.method !== 'GET' || ![video.hlsKey, video.dashKey].some((k) => k && publicPathOf(id, k) === relPath)) return;
    deps.views.record(id, video.viewCount).catch((err: unknown) => deps.logger.warn({ err }, 'view not counted'));
  };

  // Downloads are always answered here: a CDN or storage redirect would lose the attachment name.
  if (!rewriting && downloadHeight === null) {
    const target = await redirectTarget(deps, key, isPrivate, left);
    if (target) {
      countView();
      return void res.redirect(302, target);
    }
  }
  // Segments never change under their name (a new encode writes a new generation folder): their
  // stat is kept a while (see StatCache). Not posters and thumbnails, which a re-pick rewrites.
  const immutable = downloadHeight === null && /(\.m4s|(^|\/)init[^/]*\.mp4)$/.test(relPath);
  const cachedStat = immutable ? stats.get(key) : null;
  const stat = cachedStat ?? (await deps.storage.stat(key));
  if (!stat) return fail(res, 404, 'Not found');
  if (immutable && !cachedStat) stats.set(key, stat);
  if (downloadHeight !== null) res.attachment(downloadFilename(video.title, downloadHeight));
  countView();
  if (rewriting) return sendRewritten(deps, req, res, key, stat.size, type.contentType, rewrite, relPath);

  const etag = `"${stat.etag.replace(/"/g, '')}"`;
  res.set({ ETag: etag, 'Last-Modified': stat.lastModified.toUTCString(), 'Content-Type': type.contentType, 'Accept-Ranges': 'bytes' });
  if (notModified(req.get('If-None-Match'), etag)) return void res.status(304).end();

  let range: { start: number; end: number } | undefined;
  const ifRange = req.get('If-Range');
  if (req.get('Range') && (!ifRange || ifRange === etag)) {
    const ranges = req.range(stat.size, { combine: true });
    if (ranges === -1) {
      res.set('Content-Range', `bytes */${stat.size}`);
      return fail(res, 416, 'Range not satisfiable');
    }
    // Malformed (-2) or several ranges: the whole file, as RFC 9110 allows.
    if (Array.isArray(ranges) && ranges.length === 1 && ranges[0]) range = { start: ranges[0].start, end: ranges[0].end };
  }
  const length = range ? range.end - range.start + 1 : stat.size;
  res.status(range ? 206 : 200).set('Content-Length', String(length));
  if (range) res.set('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`);
  if (req.method === 'HEAD' || length === 0) return void res.end();
  let body: Readable;
  try {
    body = await deps.storage.get(key, range);
  } catch (err) {
    if (!cachedStat) throw err;
    // The kept stat outlived the file (its generation was replaced): ask storage again.
    stats.evict(key);
    if (!(await deps.storage.stat(key))) return fail(res, 404, 'Not found');
    throw err;
  }
  await pipeline(body, res).catch((err: unknown) => {
    // A client that goes away mid-file is normal (pipeline has already closed the storage stream).
    if (!(req.destroyed || res.destroyed) || res.writableFinished) throw err;
  });
}

async function sendRewritten(
  deps: DeliveryDeps,
  req: Request,
  res: Response,
  key: string,
  size: number,
  contentType: string,
  rewrite: ManifestRewrite,
  relPath: string,
): Promise<void> {
  if (size > MAX_MANIFEST_BYTES) return fail(res, 502, 'Manifest too large');
  const chunks: Buffer[] = [];
  for await (const chunk of await deps.storage.get(key)) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const out = relPath.endsWith('.mpd')
    ? rewriteMpd(text, rewrite)
    : relPath.endsWith('.m3u8')
      ? rewriteHls(text, rewrite)
      : rewriteVtt(text, rewrite.query, withQuery);
  const etag = `"r-${createHash('sha1').update(out).digest('base64url')}"`;
  res.set({ ETag: etag, 'Content-Type': contentType });
  if (notModified(req.get('If-None-Match'), etag)) return void res.status(304).end();
  res.status(200).send(out);
}

/** With a CDN or presigned redirects configured, bytes skip the API; private videos never go to the CDN. */
async function redirectTarget(deps: DeliveryDeps, key: string, isPrivate: boolean, left: number | null): Promise<string | null> {
  const { publicMediaBaseUrl, redirectPresigned } = deps.config;
  if (publicMediaBaseUrl && !isPrivate) return `${publicMediaBaseUrl}/${key}`;
  if (redirectPresigned && deps.storage.driver === 's3') {
    if (!(await deps.storage.stat(key))) return null;
    return deps.storage.presignedGetUrl(key, Math.max(1, Math.min(isPrivate ? (left ?? 0) : 3600, 7 * 24 * 3600)));
  }
  return null;
}

const isCaptionFile = (relPath: string): boolean => relPath.startsWith(`${CAPTIONS_FOLDER}/`);
