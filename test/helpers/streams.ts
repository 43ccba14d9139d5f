import { Readable } from 'node:stream';

/** A stream of unknown length, delivered in odd-sized pieces as a network would. */
export function inOddPieces(data: Buffer, piece = 65_537): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return this.push(null);
      this.push(data.subarray(offset, offset + piece));
      offset += piece;
    },
  });
}
