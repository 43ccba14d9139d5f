import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uploadUrlId } from '../../src/http/tus.router';

const ID = '3f1c9a52-7b1e-4d6a-9c39-8e2b7f0d4a11';
const OTHER = '0b6f0d1e-5b2a-4c41-9d4e-1f2a3b4c5d6e';

describe('tus upload URL: one shape, one id (issue 9, item 1)', () => {
  it('takes /uploads/<uuid> in any case and answers the canonical id', () => {
    assert.equal(uploadUrlId(`/uploads/${ID}`), ID);
    assert.equal(uploadUrlId(`/uploads/${ID.toUpperCase()}`), ID);
  });

  it('refuses every other shape, whatever id it also names', () => {
    for (const url of [
      '/uploads', '/uploads/', `/uploads/${ID}/`, `/uploads/${ID}?x=/${OTHER}`, `/uploads/${ID}?a=b`, `/uploads/${ID}/${OTHER}`,
      `/uploads/${OTHER}/../${ID}`, `/uploads/${ID}%2F..%2F${OTHER}`, `/uploads/${ID}#/${OTHER}`, `/uploads/${ID};/${OTHER}`,
      `//uploads/${ID}`, `/uploads//${ID}`, `/x/uploads/${ID}`, `/uploads/${ID.slice(0, -1)}g`, `/uploads/${'-'.repeat(36)}`,
    ]) {
      assert.equal(uploadUrlId(url), null, url);
    }
  });
});
