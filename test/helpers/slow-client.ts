import http from 'node:http';

export interface Sent {
  status: number | null;
  body?: string;
  error?: string;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A raw request whose body goes out in `chunks` pieces, `gapMs` apart (a slow client). With
 * `stopAfter` it stops sending after that many pieces and stalls, or with `drop` goes away.
 */
export function trickle(url: string, method: string, headers: Record<string, string>, body: Buffer, chunks: number, gapMs: number, stopAfter = chunks, drop = false): Promise<Sent> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers: { ...headers, 'content-length': String(body.length) } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body = (body + c).slice(0, 4096)));
      res.on('end', () => resolve({ status: res.statusCode ?? null, body, ms: Date.now() - started }));
    });
    req.on('error', (err) => resolve({ status: null, error: err.message, ms: Date.now() - started }));
    void (async () => {
      const size = Math.ceil(body.length / chunks);
      for (let i = 0; i < stopAfter; i++) {
        if (req.destroyed) return;
        req.write(body.subarray(i * size, (i + 1) * size));
        if (i < chunks - 1) await sleep(gapMs);
      }
      if (stopAfter === chunks) req.end();
      else if (drop) {
        req.destroy();
        resolve({ status: null, error: 'dropped by the client', ms: Date.now() - started });
      }
    })();
  });
}

/** The headers of a tus PATCH at `offset`. */
export const tusHeaders = (token: string, offset: number) => ({
  'tus-resumable': '1.0.0',
  'upload-offset': String(offset),
  'content-type': 'application/offset+octet-stream',
  authorization: `Bearer ${token}`,
});

