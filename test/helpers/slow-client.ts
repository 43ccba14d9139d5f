import http from 'node:http';

export interface Sent {
  status: number | null;
  error?: string;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw request whose body goes out in `chunks` pieces, `gapMs` apart (a slow or stalling client). */
export function trickle(url: string, method: string, headers: Record<string, string>, body: Buffer, chunks: number, gapMs: number, stopAfter = chunks): Promise<Sent> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers: { ...headers, 'content-length': String(body.length) } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? null, ms: Date.now() - started }));
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

