import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors';
import { decodeCursor, encodeCursor } from '../../src/graphql/common/page.type';
import { VideoOrder } from '../../src/domain/video-order';
import { fullTextQuery } from '../../src/videos/video-search';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'none';
  } catch (err) {
    return err instanceof AppError ? err.code : 'other';
  }
};

describe('search text → FULLTEXT boolean query', () => {
  it('requires every word as a prefix', () => {
    assert.equal(fullTextQuery('Sunset timelapse'), '+sunset* +timelapse*');
    assert.equal(fullTextQuery('  café   crème '), '+café* +crème*');
  });

  it('drops words InnoDB does not index (shorter than 3, stopwords), which would otherwise match nothing', () => {
    assert.equal(fullTextQuery('the cat in a hat'), '+cat* +hat*');
    assert.equal(codeOf(() => fullTextQuery('how to go')), 'BAD_USER_INPUT');
    assert.equal(fullTextQuery('how to go fast'), '+fast*');
  });

  it('turns boolean operators and punctuation into separators, so input cannot change the query', () => {
    assert.equal(fullTextQuery('-secret +"cats" (dogs) ~birds* @3 <x> don\'t'), '+secret* +cats* +dogs* +birds* +don*');
    assert.equal(fullTextQuery("x' OR title LIKE '%"), '+title* +like*');
  });

  it('treats blank as no search and caps the number of terms', () => {
    assert.equal(fullTextQuery(null), null);
    assert.equal(fullTextQuery('   '), null);
    assert.equal(fullTextQuery('one two three four five six seven eight nine ten')?.split(' ').length, 8);
  });

  it('refuses too long input, control characters and input with no searchable word', () => {
    assert.equal(codeOf(() => fullTextQuery('x'.repeat(101))), 'BAD_USER_INPUT');
    assert.equal(codeOf(() => fullTextQuery('cats\u0000dogs')), 'BAD_USER_INPUT');
    assert.equal(codeOf(() => fullTextQuery('a b go')), 'BAD_USER_INPUT');
    assert.equal(codeOf(() => fullTextQuery('the of and')), 'none', '"and" is not an InnoDB stopword');
    assert.equal(codeOf(() => fullTextQuery('the of with')), 'BAD_USER_INPUT');
    assert.equal(codeOf(() => fullTextQuery('+-*()')), 'BAD_USER_INPUT');
  });
});

describe('ordered cursors', () => {
  const video = { id: randomUUID(), createdAt: new Date('2026-01-02T03:04:05.678Z'), viewCount: 42 };

  it('round-trip the sort key of their order and the id', () => {
    assert.deepEqual(decodeCursor(encodeCursor(VideoOrder.NEWEST, video), VideoOrder.NEWEST), { key: video.createdAt, id: video.id });
    assert.deepEqual(decodeCursor(encodeCursor(VideoOrder.OLDEST, video), VideoOrder.OLDEST), { key: video.createdAt, id: video.id });
    assert.deepEqual(decodeCursor(encodeCursor(VideoOrder.MOST_VIEWED, video), VideoOrder.MOST_VIEWED), { key: 42, id: video.id });
  });

  it("refuse a cursor of another order, and malformed ones, with BAD_USER_INPUT", () => {
    for (const [made, used] of [[VideoOrder.NEWEST, VideoOrder.OLDEST], [VideoOrder.MOST_VIEWED, VideoOrder.NEWEST], [VideoOrder.OLDEST, VideoOrder.MOST_VIEWED]] as const) {
      assert.equal(codeOf(() => decodeCursor(encodeCursor(made, video), used)), 'BAD_USER_INPUT', `${made} used as ${used}`);
    }
    const forge = (s: string) => Buffer.from(s).toString('base64url');
    for (const raw of ['garbage', forge(`MOST_VIEWED|-1|${video.id}`), forge(`MOST_VIEWED|1e3|${video.id}`), forge(`NEWEST|yesterday|${video.id}`), forge(`NEWEST|${video.createdAt.toISOString()}|x`), forge(`${video.createdAt.toISOString()}|${video.id}`)]) {
      assert.equal(codeOf(() => decodeCursor(raw, Buffer.from(raw, 'base64url').toString().startsWith('MOST_VIEWED') ? VideoOrder.MOST_VIEWED : VideoOrder.NEWEST)), 'BAD_USER_INPUT', raw);
    }
    assert.equal(decodeCursor(null, VideoOrder.NEWEST), null);
  });
});
