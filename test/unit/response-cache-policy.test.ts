import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIST_TAG } from '../../src/cache/response-cache';
import { planResponseCache } from '../../src/graphql/response-cache-policy';

const ID = '3F1C9A52-7B1E-4D6A-9C39-8E2B7F0D4A11';

describe('planResponseCache: which anonymous reads may be answered whole, tagged by what they show', () => {
  it('tags video(id) by its canonical id, from a literal or a variable', () => {
    assert.deepEqual(planResponseCache(`{ video(id: "${ID}") { id title } }`, null)?.tags({}), [ID.toLowerCase()]);
    assert.deepEqual(planResponseCache('query Q($v: ID!) { video(id: $v) { id } }', 'Q')?.tags({ v: ID }), [ID.toLowerCase()]);
  });

  it('tags anything listing videos (root or nested, through fragments) as a list', () => {
    assert.deepEqual(planResponseCache('{ videos(first: 20) { edges { node { id } } } }', null)?.tags(null), [LIST_TAG]);
    const nested = `query { video(id: "${ID}") { ...U } } fragment U on Video { uploader { videos(first: 5) { edges { cursor } } } }`;
    assert.deepEqual(planResponseCache(nested, null)?.tags(null)?.sort(), [LIST_TAG, ID.toLowerCase()].sort());
  });

  it('refuses mutations, per-user roots, per-request fields and malformed ids', () => {
    assert.equal(planResponseCache('mutation { signIn(email: "a", password: "b") { token } }', null), null);
    assert.equal(planResponseCache('{ me { id } }', null), null);
    assert.equal(planResponseCache(`{ video(id: "${ID}") { id } me { id } }`, null), null);
    assert.equal(planResponseCache(`{ video(id: "${ID}") { download { status } } }`, null), null);
    assert.equal(planResponseCache(`{ video(id: "${ID}") { ... on Video { download { url } } } }`, null), null);
    assert.equal(planResponseCache('query($v: ID!) { video(id: $v) { id } }', null)?.tags({ v: 'nope' }), null);
    assert.equal(planResponseCache('query($v: ID!) { video(id: $v) { id } }', null)?.tags({}), null);
    assert.equal(planResponseCache('{ video(id: ', null), null);
  });

  it('leaves { __typename } alone (cheaper to answer than to look up) and picks the named operation', () => {
    assert.equal(planResponseCache('{ __typename }', null), null);
    const two = `query A { videos(first: 1) { edges { cursor } } } mutation B { deleteVideo(id: "${ID}") }`;
    assert.deepEqual(planResponseCache(two, 'A')?.tags(null), [LIST_TAG]);
    assert.equal(planResponseCache(two, 'B'), null);
    assert.equal(planResponseCache(two, null), null);
  });
});
