import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startStack, type TestStack } from '../helpers/env';
import { gql, signUp } from '../helpers/graphql';
import { UserRepository } from '../../src/db/repositories/user.repository';

const PASSWORD = 'correct horse battery';

describe('Bull Board at /admin/queues', () => {
  let stack: TestStack;
  const adminEmail = `ops-${randomBytes(4).toString('hex')}@example.com`;
  let adminToken: string;
  let user: Awaited<ReturnType<typeof signUp>>;
  const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
  const get = (path: string, authorization?: string) => fetch(`${stack.url}${path}`, { headers: authorization ? { authorization } : {} });

  before(async () => {
    stack = await startStack();
    const r = await gql<{ signUp: { token: string } }>(stack.url, 'mutation($e:String!,$p:String!){ signUp(email:$e,password:$p,displayName:"Ops"){ token } }', { e: adminEmail, p: PASSWORD });
    adminToken = r.data!.signUp.token;
    // What `npm run admin -- <email>` does (test/security/accounts runs the command itself).
    assert.ok(await new UserRepository(stack.api.infra.ds).grantAdmin(adminEmail.toUpperCase()));
    user = await signUp(stack.url);
  });
  after(() => stack.close());

  it('asks a browser to sign in (Basic) when no credentials are sent', async () => {
    const res = await get('/admin/queues');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    assert.equal((await get('/admin/queues/api/queues')).status, 401);
  });

  it('refuses a wrong password and a non-admin account', async () => {
    assert.equal((await get('/admin/queues', basic(adminEmail, 'wrong password'))).status, 401);
    assert.equal((await get('/admin/queues', basic(user.email, PASSWORD))).status, 403);
    assert.equal((await get('/admin/queues', `Bearer ${user.token}`)).status, 403);
    assert.equal((await get('/admin/queues', 'Bearer forged.token.here')).status, 401);
  });

  it('serves the dashboard and its API to an admin, by Basic auth or bearer token', async () => {
    const page = await get('/admin/queues', basic(adminEmail, PASSWORD));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const api = await get('/admin/queues/api/queues', `Bearer ${adminToken}`);
    assert.equal(api.status, 200);
    const body = (await api.json()) as { queues: { name: string }[] };
    assert.deepEqual(body.queues.map((q) => q.name), ['media']);
  });

  it('counts wrong Basic passwords against the same sign-in limit as the API', async () => {
    const other = await signUp(stack.url);
    for (let i = 0; i < 10; i++) assert.equal((await get('/admin/queues', basic(other.email, `guess ${i}`))).status, 401);
    assert.equal((await get('/admin/queues', basic(other.email, PASSWORD))).status, 429);
    const viaApi = await gql(stack.url, 'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ token } }', { e: other.email, p: PASSWORD });
    assert.equal(viaApi.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
  });
});
