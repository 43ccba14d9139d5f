import type { Readable } from 'node:stream';

/**
 * Regroups a byte stream into buffers of exactly `size` bytes (the last may be shorter). Each
 * part is one allocation filled in place, so incoming chunks are released as soon as they are
 * copied and at most one part is held here. S3 multipart needs parts of ≥ 5 MiB except the last.
 */
export async function* chunk(source: Readable, size: number): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const piece of source as AsyncIterable<Buffer | string>) {
    let buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    while (buf.length > 0) {
      const take = Math.min(size - filled, buf.length);
      buf.copy(part, filled, 0, take);
      filled += take;
      buf = buf.subarray(take);
      if (filled === size) {
        yield part;
        part = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.subarray(0, filled);
}
