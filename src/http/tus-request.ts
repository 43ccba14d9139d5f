import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished } from 'node:stream';
import { NodeRequest } from 'srvx/node';

/**
 * What @tus/server's `handle` builds from a Node request (srvx's NodeRequest), with one change:
 * its body stream hands on the request's own buffers. srvx builds the body with Readable.toWeb,
 * which copies every incoming chunk into a fresh Uint8Array (to detach it from a pool this
 * request's chunks are not in); the tus server then turns that web stream back into a Node one.
 * For a PATCH that copy, and the garbage it makes, was the API thread's largest item after the
 * sha256 in a CPU profile of a tus upload.
 */
export function tusRequest(req: IncomingMessage, res: ServerResponse): Request {
  const request = new NodeRequest({ req, res });
  let body: ReadableStream<Uint8Array> | null | undefined;
  Object.defineProperty(request, 'body', {
    get: () => (body ??= req.method === 'GET' || req.method === 'HEAD' ? null : bodyStream(req)),
  });
  return request;
}

/** Buffered ahead of the reader before the request is paused. */
const HIGH_WATER_MARK = 256 * 1024;

/** Node's Readable.toWeb (newReadableStreamFromStreamReadable) for a request body, minus the copy. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  if (req.destroyed || !req.readable) {
    const stream = new ReadableStream<Uint8Array>();
    void stream.cancel();
    return stream;
  }
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  req.pause();
  const cleanup = finished(req, (error) => {
    cleanup();
    // As Node's adapter: a request that errs again after finishing must not throw.
    req.on('error', () => undefined);
    if (error) {
      const code = (error as { code?: unknown }).code;
      return controller.error(code === 'ERR_STREAM_PREMATURE_CLOSE' ? Object.assign(new Error('The operation was aborted', { cause: error }), { name: 'AbortError', code: 'ABORT_ERR' }) : error);
    }
    if (!cancelled) controller.close();
  });
  req.on('data', (chunk: Buffer) => {
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  });
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        req.resume();
      },
      cancel(reason) {
        cancelled = true;
        req.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_MARK }),
  );
}
