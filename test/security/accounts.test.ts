import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startStack, type TestStack } from '../helpers/env';
import type { GqlResult } from '../helpers/graphql';

const PASSWORD = 'correct horse battery';
const SIGN_IN = 'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }';
const SIGN_UP = 'mutation($e:String!,$p:String!,$n:String!){ signUp(email:$e,password:$p,displayName:$n){ token } }';

/** GraphQL over HTTP from a given client address (the test talks to the API as a proxy would). */
async function from(ip: string, url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<GqlResult> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}
const code = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;
let ipCounter = 0;
const nextIp = () => `198.51.100.${++ipCounter}`;

describe('security: abuse of accounts (issue 9, item 9)', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack({ env: { ADMIN_EMAILS: 'boss@example.com' } });
  });
  after(() => stack.close());

  const signUpFrom = async (ip: string, email: string) => {
    const r = await from(ip, stack.url, SIGN_UP, { e: email, p: PASSWORD, n: 'X' });
    assert.ok(r.data, JSON.stringify(r.errors));
    return (r.data as { signUp: { token: string } }).signUp.token;
  };

  it('counts parallel wrong passwords atomically: no more guesses than the limit get checked', async () => {
    const email = unique('race');
    await signUpFrom(nextIp(), email);
    const attacker = nextIp();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => from(attacker, stack.url, SIGN_IN, { e: email, p: `guess ${i}` })));
    const checked = answers.filter((r) => code(r) === 'UNAUTHENTICATED').length;
    assert.ok(checked <= 10, `${checked} guesses were checked`);
    assert.equal(answers.filter((r) => code(r) === 'RATE_LIMITED').length, 30 - checked);
  });

  it('keys the limit on the email as the database compares it (case and accents)', async () => {
    const email = unique('jose');
    await signUpFrom(nextIp(), email);
    const attacker = nextIp();
    const [local, domain] = email.split('@');
    const variants = ['José', 'JOSÉ', 'Jösé', 'jOsè', 'JOSE', 'jôse', 'josÉ', 'JoSe', 'jÓsE', 'JOSË'].map((v) => `${v}${local!.slice(4)}@${domain!.toUpperCase()}`);
    for (const [i, v] of variants.entries()) assert.equal(code(await from(attacker, stack.url, SIGN_IN, { e: v, p: `guess ${i}` })), 'UNAUTHENTICATED', v);
    assert.equal(code(await from(attacker, stack.url, SIGN_IN, { e: email, p: PASSWORD })), 'RATE_LIMITED');
  });

  it('does not let one address lock the owner out', async () => {
    const email = unique('victim');
    await signUpFrom(nextIp(), email);
    const attacker = nextIp();
    for (let i = 0; i < 12; i++) await from(attacker, stack.url, SIGN_IN, { e: email, p: `guess ${i}` });
    assert.equal(code(await from(attacker, stack.url, SIGN_IN, { e: email, p: PASSWORD })), 'RATE_LIMITED');
    const owner = await from(nextIp(), stack.url, SIGN_IN, { e: email, p: PASSWORD });
    assert.ok(owner.data, `the owner, from elsewhere: ${JSON.stringify(owner.errors)}`);
  });

  it('limits wrong passwords per address across accounts', async () => {
    const attacker = nextIp();
    let limited = false;
    for (let i = 0; i < 60 && !limited; i++) {
      const r = await from(attacker, stack.url, SIGN_IN, { e: unique(`spray${i}`), p: 'whatever1' });
      limited = code(r) === 'RATE_LIMITED';
    }
    assert.ok(limited, 'one address cannot spray passwords over unlimited accounts');
  });

  it('rate-limits signUp per address, so registered emails cannot be enumerated at speed', async () => {
    const prober = nextIp();
    const taken = unique('taken');
    await signUpFrom(nextIp(), taken);
    let limitedAt = -1;
    for (let i = 0; i < 40 && limitedAt < 0; i++) {
      const r = await from(prober, stack.url, SIGN_UP, { e: i % 2 ? taken : unique(`probe${i}`), p: PASSWORD, n: 'P' });
      if (code(r) === 'RATE_LIMITED') limitedAt = i;
    }
    assert.ok(limitedAt >= 0 && limitedAt <= 30, `limited at ${limitedAt}`);
    assert.ok((await from(nextIp(), stack.url, SIGN_UP, { e: unique('other'), p: PASSWORD, n: 'O' })).data, 'other addresses unaffected');
  });

  it('grants admin rights by command only, never by signing up with an ADMIN_EMAILS address', async () => {
    const squatter = await signUpFrom(nextIp(), 'boss@example.com');
    const board = (token: string) => fetch(`${stack.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await board(squatter)).status, 403, 'an ADMIN_EMAILS address taken by whoever signed up first grants nothing');

    const opsEmail = unique('ops');
    const ops = await signUpFrom(nextIp(), opsEmail);
    assert.equal((await board(ops)).status, 403);
    const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: stack.config.databaseUrl, LOG_LEVEL: 'silent' };
    const admin = path.join(__dirname, '../../src/admin.js');
    await promisify(execFile)(process.execPath, [admin, opsEmail.toUpperCase()], { env });
    assert.equal((await board(ops)).status, 200, 'granted by `npm run admin -- <email>`');
    await assert.rejects(promisify(execFile)(process.execPath, [admin, unique('nobody')], { env }), 'an unknown email is an error');
  });
});
