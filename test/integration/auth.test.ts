import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, type TestStack } from '../helpers/env';
import { collect, errorCode, gql, signUp, wsClient } from '../helpers/graphql';

describe('accounts and auth', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('signs up, signs in and answers me with the token', async () => {
    const { token, userId, email } = await signUp(stack.url, 'Ada');
    const me = await gql<{ me: { id: string; displayName: string } }>(stack.url, '{ me { id displayName } }', {}, token);
    assert.deepEqual(me.data?.me, { id: userId, displayName: 'Ada' });

    const signIn = await gql<{ signIn: { token: string; user: { id: string } } }>(
      stack.url,
      'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token user{ id } } }',
      { e: email.toUpperCase(), p: 'correct horse battery' },
    );
    assert.equal(signIn.data?.signIn.user.id, userId);
    const again = await gql<{ me: { id: string } }>(stack.url, '{ me { id } }', {}, signIn.data?.signIn.token);
    assert.equal(again.data?.me.id, userId);
  });

  it('answers me with null without a token or with a forged one', async () => {
    assert.equal((await gql<{ me: null }>(stack.url, '{ me { id } }')).data?.me, null);
    const { token } = await signUp(stack.url);
    const forged = `${token.slice(0, -4)}AAAA`;
    assert.equal((await gql<{ me: null }>(stack.url, '{ me { id } }', {}, forged)).data?.me, null);
  });

  it('refuses a duplicate email with BAD_USER_INPUT', async () => {
    const { email } = await signUp(stack.url);
    const dup = await gql(
      stack.url,
      'mutation($e:String!){ signUp(email:$e,password:"another password",displayName:"B"){ token } }',
      { e: email },
    );
    assert.equal(errorCode(dup), 'BAD_USER_INPUT');
  });

  it('refuses invalid sign-up input with BAD_USER_INPUT', async () => {
    for (const [e, p, n] of [
      ['not-an-email', 'long enough pw', 'X'],
      ['ok@example.com', 'short', 'X'],
      ['ok2@example.com', 'long enough pw', '   '],
    ]) {
      const r = await gql(stack.url, 'mutation($e:String!,$p:String!,$n:String!){ signUp(email:$e,password:$p,displayName:$n){ token } }', { e, p, n });
      assert.equal(errorCode(r), 'BAD_USER_INPUT', `${e}/${p}/${n}`);
    }
  });

  it('refuses a wrong password and an unknown email alike with UNAUTHENTICATED', async () => {
    const { email } = await signUp(stack.url);
    for (const vars of [
      { e: email, p: 'wrong password!' },
      { e: 'nobody@example.com', p: 'whatever123' },
    ]) {
      const r = await gql(stack.url, 'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }', vars);
      assert.equal(errorCode(r), 'UNAUTHENTICATED');
      assert.equal(r.errors?.[0]?.message, 'Wrong email or password');
    }
  });

  it('refuses sign-in with RATE_LIMITED after repeated wrong passwords, for that email only', async () => {
    const SIGN_IN = 'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }';
    const victim = await signUp(stack.url);
    const bystander = await signUp(stack.url);
    for (let i = 0; i < 10; i++) {
      assert.equal(errorCode(await gql(stack.url, SIGN_IN, { e: victim.email, p: `guess ${i}` })), 'UNAUTHENTICATED');
    }
    const locked = await gql(stack.url, SIGN_IN, { e: victim.email, p: 'correct horse battery' });
    assert.equal(errorCode(locked), 'RATE_LIMITED');
    assert.ok(Number(locked.errors?.[0]?.extensions?.retryAfterSeconds) > 0);
    // Other accounts are unaffected, and a success clears an account's count of failures.
    assert.equal(errorCode(await gql(stack.url, SIGN_IN, { e: bystander.email, p: 'wrong one' })), 'UNAUTHENTICATED');
    assert.ok((await gql<{ signIn: { token: string } }>(stack.url, SIGN_IN, { e: bystander.email, p: 'correct horse battery' })).data?.signIn.token);
  });

  it('never shows stack traces or internals in errors', async () => {
    const r = await gql(stack.url, '{ video(id: "x") { id } nope }');
    assert.equal(errorCode(r), 'GRAPHQL_VALIDATION_FAILED');
    assert.ok(!JSON.stringify(r).includes('stacktrace'));
  });

  it('refuses a subscription connection without a valid token', async () => {
    const client = wsClient(stack.url);
    const sub = collect(client, 'subscription { videoProgress(videoId: "00000000-0000-0000-0000-000000000000") { percent } }', {}, () => true, 10_000);
    await assert.rejects(sub.done, (err: unknown) => {
      const code = (err as { code?: number }).code;
      assert.equal(code, 4403);
      return true;
    });
    await client.dispose();
  });

  it('limits query depth', async () => {
    const deep = '{ videos { edges { node { uploader { videos { edges { node { uploader { videos { edges { node { id } } } } } } } } } } } }';
    const r = await gql(stack.url, deep);
    assert.equal(errorCode(r), 'GRAPHQL_VALIDATION_FAILED');
    assert.match(r.errors?.[0]?.message ?? '', /depth/);
  });

  it('limits query complexity', async () => {
    const q = '{ videos(first: 100) { edges { node { uploader { videos(first: 100) { edges { node { id title renditions { height } } } } } } } } }';
    const r = await gql(stack.url, q);
    assert.equal(errorCode(r), 'BAD_USER_INPUT');
    assert.match(r.errors?.[0]?.message ?? '', /too complex/);
  });
});
