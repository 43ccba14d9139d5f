import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { chunk } from '../../src/storage/chunker';

async function parts(pieces: (Buffer | string)[], size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of chunk(Readable.from(pieces), size)) out.push(Buffer.from(p));
  return out;
}

describe('chunk', () => {
  it('regroups uneven pieces into exact parts with a short last one', async () => {
    const out = await parts([Buffer.from('abc'), Buffer.from('defgh'), 'ij', Buffer.from('k')], 4);
    assert.deepEqual(out.map(String), ['abcd', 'efgh', 'ijk']);
  });
  it('yields nothing for an empty stream and no empty tail on an exact multiple', async () => {
    assert.deepEqual(await parts([], 4), []);
    assert.deepEqual((await parts([Buffer.from('abcdefgh')], 4)).map(String), ['abcd', 'efgh']);
  });
  it('fills the buffers `take` supplies, asking only when bytes come', async () => {
    const pool = [Buffer.alloc(4), Buffer.alloc(4)];
    let taken = 0;
    const take = () => {
      taken += 1;
      return pool.shift() ?? Buffer.alloc(4);
    };
    const first = pool[0]!;
    const out: Buffer[] = [];
    for await (const p of chunk(Readable.from([Buffer.from('abcdef')]), 4, take)) out.push(p);
    assert.deepEqual(out.map(String), ['abcd', 'ef']);
    assert.equal(out[0]!.buffer, first.buffer, 'the first part is the first supplied buffer, not a copy');
    assert.equal(taken, 2);
    for await (const p of chunk(Readable.from([]), 4, take)) assert.fail(`unexpected part ${String(p)}`);
    assert.equal(taken, 2, 'an empty stream takes no buffer');
  });
  it('keeps parts intact while the consumer still holds them', async () => {
    const held: Buffer[] = [];
    for await (const p of chunk(Readable.from([Buffer.from('aaaabbbbcc')]), 4)) held.push(p);
    assert.deepEqual(held.map(String), ['aaaa', 'bbbb', 'cc']);
  });
});
