import type { Readable } from 'node:stream';

/**
 * Regroups a byte stream into buffers of exactly `size` bytes (the last may be shorter). Each
 * part is one buffer filled in place, so incoming chunks are released as soon as they are
 * copied and at most one part is held here. S3 multipart needs parts of ≥ 5 MiB except the last.
 * `take` supplies the part buffers (at least `size` bytes): a caller that recycles the buffers of
 * uploaded parts saves an allocation, page faults and GC work per part.
 */
export async function* chunk(source: Readable, size: number, take: () => Buffer = () => Buffer.allocUnsafe(size)): AsyncGenerator<Buffer> {
  let part: Buffer | null = null;
  let filled = 0;
  for await (const piece of source as AsyncIterable<Buffer | string>) {
    let buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    while (buf.length > 0) {
      part ??= take();
      const n = Math.min(size - filled, buf.length);
      buf.copy(part, filled, 0, n);
      filled += n;
      buf = buf.subarray(n);
      if (filled === size) {
        yield part.subarray(0, size);
        part = null;
        filled = 0;
      }
    }
  }
  if (part && filled > 0) yield part.subarray(0, filled);
}
