import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatCache } from '../../src/playback/stat-cache';

const stat = (size: number) => ({ size, etag: `e${size}`, lastModified: new Date(0) });

describe('StatCache', () => {
  it('keeps a stat for its TTL, then forgets it; evicts on demand', () => {
    let now = 0;
    const c = new StatCache(1000, 10, () => now);
    c.set('a', stat(1));
    assert.equal(c.get('a')?.size, 1);
    now = 999;
    assert.equal(c.get('a')?.size, 1);
    now = 1000;
    assert.equal(c.get('a'), null);
    c.set('b', stat(2));
    c.evict('b');
    assert.equal(c.get('b'), null);
  });

  it('drops the oldest entry beyond its size', () => {
    const c = new StatCache(1000, 2, () => 0);
    c.set('a', stat(1));
    c.set('b', stat(2));
    c.set('c', stat(3));
    assert.deepEqual([c.get('a'), c.get('b')?.size, c.get('c')?.size], [null, 2, 3]);
  });
});
