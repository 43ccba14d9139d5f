import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { TargetError, type WebhookTarget } from './webhook-target';

export interface SendResult {
  statusCode: number;
  latencyMs: number;
}

/** No response: refused target, DNS, connection or timeout. `message` is short and carries no secret. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** The body of an answer is read up to this much and ignored; receivers are not a download. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one signed webhook. The host is resolved and checked once (WebhookTarget), and the
 * socket connects to exactly that address through a pinned `lookup`, so a DNS answer that
 * changes between check and connect cannot redirect it. TLS still verifies the certificate
 * against the URL's host name. Redirects are never followed (a 3xx is a failed attempt), and
 * the whole exchange — resolve, connect, headers, body — is bounded by `timeoutMs`.
 */
export class WebhookSender {
  constructor(
    private readonly target: WebhookTarget,
    private readonly timeoutMs: number,
  ) {}

  async send(rawUrl: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const url = new URL(rawUrl);
    const started = performance.now();
    let pinned;
    try {
      pinned = await this.target.resolveChecked(url);
    } catch (err) {
      if (err instanceof TargetError) throw new SendError(err.message, err.refused);
      throw err;
    }
    // Resolution spent part of the budget; the exchange gets the rest.
    const signal = AbortSignal.timeout(Math.max(1, Math.round(this.timeoutMs - (performance.now() - started))));
    const lookup: LookupFunction = (_host, opts, cb) => {
      if (opts.all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
      else cb(null, pinned.address, pinned.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve, reject) => {
      const fail = (message: string) => reject(new SendError(message, false));
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: false,
          lookup,
          signal,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'video-platform-webhooks/1' },
        },
        (res: IncomingMessage) => {
          const latencyMs = Math.round(performance.now() - started);
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
          });
          const done = () => resolve({ statusCode: res.statusCode ?? 0, latencyMs });
          res.once('end', done);
          res.once('close', done); // destroyed after the cap, or the peer closed: the status is what counts
          res.once('error', () => undefined);
        },
      );
      req.once('error', (err: Error & { code?: string }) => fail(signal.aborted ? `timed out after ${this.timeoutMs} ms` : (err.code ?? err.message)));
      req.end(body);
    });
  }
}
