import type { IncomingMessage } from 'node:http';
import { EVENTS, Server, type Locker } from '@tus/server';
import { Router, type Request, type Response } from 'express';
import { sendNodeResponse } from 'srvx/node';
import type { Logger } from '../config/logger';
import { AppError, notFound } from '../errors';
import type { ResumableStore } from '../storage/tus-store';
import { statusOf } from './error-status';
import { tusRequest } from './tus-request';
import { videoIdOfUpload } from '../storage/tus-store';
import type { TokenService } from '../users/tokens';
import { parseVideoId } from '../domain/video-id';
import type { ResumableDecision, UploadService } from '../videos/upload.service';

/** tus errors are { status_code, body }; the tus server turns them into responses. */
function tusError(err: AppError): { status_code: number; body: string } {
  const status = err.details?.gone ? 410 : statusOf[err.code];
  return { status_code: status, body: `${JSON.stringify({ code: err.code, message: err.message })}\n` };
}

/** The one URL shape of an upload: `/uploads/<uuid>`, nothing before, after or encoded in it. */
const UPLOAD_URL = /^\/uploads\/([0-9A-Fa-f-]{36})$/;

/**
 * The canonical video id an upload URL names, or null for any other shape (query strings, trailing
 * slashes, extra or dot segments, percent-encoded characters). Read from the raw request line, once:
 * the id authorised below is the id the tus server is handed, so no spelling can be authorised as
 * one upload and act on another.
 */
export function uploadUrlId(rawUrl: string): string | null {
  const m = UPLOAD_URL.exec(rawUrl);
  return m ? parseVideoId(m[1]) : null;
}

/** The request the tus server wraps (srvx keeps the Node request on `runtime.node.req`). */
function nodeRequestOf(req: unknown): IncomingMessage | undefined {
  return (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
}

/**
 * `/uploads/<videoId>`: the tus 1.0 endpoint (HEAD, PATCH, DELETE, OPTIONS). Uploads are opened by
 * the `createUpload` mutation, which binds them to a video and its owner; every request here must
 * carry that owner's `Authorization: Bearer` token.
 */
export function tusRouter(deps: {
  tokens: TokenService;
  uploads: UploadService;
  resumable: ResumableStore;
  maxUploadBytes: number;
  logger: Logger;
  /** One request at a time per upload across every API process (cache/upload-locker.ts). */
  locker: Locker;
}): Router {
  const { tokens, uploads, logger } = deps;
  /** The upload id (the original's key the video's row recorded) each request in flight was authorised for; the tus server reads only this. */
  const authorised = new WeakMap<IncomingMessage, string>();
  const tus = new Server({
    path: '/uploads',
    datastore: deps.resumable.datastore,
    locker: deps.locker,
    maxSize: deps.maxUploadBytes,
    postReceiveInterval: 100,
    respectForwardedHeaders: true,
    disableTerminationForFinishedUploads: true,
    // Never the URL again: the id authorised in `handle`, or none (404).
    getFileIdFromRequest: (req) => {
      const node = nodeRequestOf(req);
      return node ? authorised.get(node) : undefined;
    },
    generateUrl: (_req, { proto, host, path, id }) => `${proto}://${host}${path}/${videoIdOfUpload(id) ?? ''}`,
    async namingFunction() {
      // Creation goes through createUpload, which knows the user, title and size.
      throw { status_code: 403, body: 'Create uploads with the createUpload GraphQL mutation\n' };
    },
    async onUploadFinish(_req, upload) {
      const videoId = videoIdOfUpload(upload.id);
      if (!videoId) return {};
      try {
        await uploads.finishResumable(videoId);
        return {};
      } catch (err) {
        if (err instanceof AppError) throw tusError(err);
        logger.error({ err, videoId }, 'finishing a resumable upload failed');
        throw { status_code: 500, body: 'Internal server error\n' };
      }
    },
    onResponseError(_req, err) {
      if (err instanceof Error && !('status_code' in err)) {
        logger.error({ err }, 'tus request failed');
        return { status_code: 500, body: 'Internal server error\n' };
      }
      return undefined;
    },
  });
  tus.on(EVENTS.POST_RECEIVE, (_req, upload) => {
    const videoId = videoIdOfUpload(upload.id);
    if (videoId) uploads.receiveResumable(videoId, upload.offset, upload.size);
  });
  tus.on(EVENTS.POST_TERMINATE, (_req, _res, id) => {
    const videoId = videoIdOfUpload(id);
    if (videoId) uploads.cancelResumable(videoId).catch((err: unknown) => logger.error({ err, videoId }, 'cancelling an upload failed'));
  });

  const refuse = (res: Response, status: number, body: string) => {
    // The client may still be sending a PATCH body we will not read.
    res
      .status(status)
      .set({ 'Tus-Resumable': '1.0.0', Connection: 'close', 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' })
      .send(body);
  };

  const handle = async (req: Request, res: Response) => {
    if (req.method !== 'OPTIONS') {
      const user = await tokens.verifyHeader(req.headers.authorization);
      if (!user) return refuse(res, 401, 'Sign in required\n');
      if (req.method === 'POST') return refuse(res, 403, 'Create uploads with the createUpload GraphQL mutation\n');
      // Not part of tus; uploaded bytes are only ever delivered as transcoded renditions.
      if (req.method === 'GET') return refuse(res, 405, 'Method not allowed\n');
      const videoId = uploadUrlId(req.originalUrl);
      if (!videoId) return refuse(res, 404, tusError(notFound('Upload')).body);
      const offset = req.headers['upload-offset'];
      let decision: ResumableDecision;
      try {
        decision = await uploads.decideResumable(user.id, videoId, req.method, offset === undefined ? null : Number(offset));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const { status_code, body } = tusError(err);
        return refuse(res, status_code, body);
      }
      if (decision.action === 'refuse') {
        return decision.reason === 'finished'
          ? refuse(res, 403, 'The upload is finished; delete the video instead\n')
          : refuse(res, 409, 'Upload-Offset does not match\n');
      }
      if (decision.action === 'finished') {
        res.status(204).set({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(decision.offset) }).end();
        return;
      }
      authorised.set(req, decision.uploadId);
    }
    // tus.handle(req, res), with the request body handed on without a copy (tus-request.ts).
    await sendNodeResponse(res, await tus.handleWeb(tusRequest(req, res)));
  };

  const router = Router();
  // Every path under /uploads comes here, so shapes other than `/uploads/<id>` get this router's 404.
  router.all(['/uploads', '/uploads/{*rest}'], (req, res, next) => {
    handle(req, res).catch(next);
  });
  return router;
}
