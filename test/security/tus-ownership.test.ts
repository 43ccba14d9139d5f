import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startStack, type TestStack } from '../helpers/env';
import { signUp } from '../helpers/graphql';
import { createUpload } from '../helpers/uploads';

/**
 * Issue 9, item 1: the upload a tus request acts on is the upload it was authorised for, whatever
 * URL shape the client sends. Requests go out over raw `http.request`, so the path reaches the
 * server byte for byte (fetch would normalise `..`, drop `#…` and re-encode).
 */

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function raw(base: string, path: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port, path, method, headers: { 'tus-resumable': '1.0.0', ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const VICTIM_SIZE = 50_000;
const VICTIM_SENT = 1000;
const ATTACKER_SIZE = 7777;
const SECRET_NAME = 'victim-secret-name.mp4';

describe('tus: the upload acted on is the upload authorised (issue 9, item 1)', () => {
  let stack: TestStack;
  let victim: { token: string };
  let attacker: { token: string };
  let victimId: string;
  let attackerId: string;

  const state = async (id: string, token: string) => {
    const head = await raw(stack.url, `/uploads/${id}`, 'HEAD', { authorization: `Bearer ${token}` });
    const [row] = (await stack.api.infra.ds.query('SELECT status FROM videos WHERE id = ?', [id])) as { status: string }[];
    return { status: head.status, offset: head.headers['upload-offset'], length: head.headers['upload-length'], row: row?.status ?? 'gone' };
  };

  before(async () => {
    stack = await startStack();
    victim = await signUp(stack.url, 'Victim');
    attacker = await signUp(stack.url, 'Attacker');
    const v = await createUpload(stack.url, victim.token, { title: 'Victim', filename: SECRET_NAME, sizeBytes: VICTIM_SIZE });
    const a = await createUpload(stack.url, attacker.token, { title: 'Attacker', filename: 'mine.mp4', sizeBytes: ATTACKER_SIZE });
    victimId = v.data!.createUpload.video.id;
    attackerId = a.data!.createUpload.video.id;
    // The victim's upload is under way: some bytes stored, not validated.
    const patch = await raw(stack.url, `/uploads/${victimId}`, 'PATCH', {
      authorization: `Bearer ${victim.token}`,
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    }, Buffer.alloc(VICTIM_SENT, 1));
    assert.equal(patch.status, 204);
  });
  after(() => stack.close());

  /** Every shape that names the victim's upload somewhere while its path (or part of it) is the attacker's. */
  const shapes = (a: string, v: string): string[] => [
    `/uploads/${v}`,
    `/uploads/${a}?x=/${v}`,
    `/uploads/${a}?/${v}`,
    `/uploads/${a}?x=/../${v}`,
    `/uploads/${a}/?x=/${v}`,
    `/uploads/${a}/${v}`,
    `/uploads/${a}/${v}/`,
    `/uploads/${v}/../${a}`,
    `/uploads/${a}/../${v}`,
    `/uploads/${a}%2F..%2F${v}`,
    `/uploads/${a}%2F${v}`,
    `/uploads/${a}%2f${v}`,
    `/uploads/${a}#/${v}`,
    `/uploads/${a.toUpperCase()}?x=/${v.toUpperCase()}`,
    `/uploads/${v.toUpperCase()}`,
    `/uploads/${a};/${v}`,
    `/uploads//${v}`,
  ];

  it('HEAD, PATCH and DELETE on every URL shape never reach or reveal another user\'s upload', async () => {
    const auth = { authorization: `Bearer ${attacker.token}` };
    for (const path of shapes(attackerId, victimId)) {
      const head = await raw(stack.url, path, 'HEAD', auth);
      assert.equal(head.status, 404, `HEAD ${path}`);
      for (const h of ['upload-offset', 'upload-length', 'upload-metadata']) assert.equal(head.headers[h], undefined, `HEAD ${path} reveals ${h}`);

      const patch = await raw(stack.url, path, 'PATCH', { ...auth, 'upload-offset': String(VICTIM_SENT), 'content-type': 'application/offset+octet-stream' }, Buffer.alloc(10, 2));
      assert.equal(patch.status, 404, `PATCH ${path}`);
      assert.equal(patch.headers['upload-offset'], undefined, `PATCH ${path} reveals the offset`);
      assert.ok(!patch.body.includes(SECRET_NAME), `PATCH ${path} reveals the filename`);

      const del = await raw(stack.url, path, 'DELETE', auth);
      assert.equal(del.status, 404, `DELETE ${path}`);

      // The victim's upload is exactly as it was, and so is the attacker's own.
      assert.deepEqual(await state(victimId, victim.token), { status: 200, offset: String(VICTIM_SENT), length: String(VICTIM_SIZE), row: 'UPLOADING' }, `after ${path}`);
      assert.deepEqual(await state(attackerId, attacker.token), { status: 200, offset: '0', length: String(ATTACKER_SIZE), row: 'UPLOADING' }, `after ${path}`);
    }
    // Not under /uploads at all (the web app answers it): the tus server never sees it.
    const elsewhere = await raw(stack.url, `//uploads/${attackerId}?/${victimId}`, 'HEAD', auth);
    for (const h of ['tus-resumable', 'upload-offset', 'upload-length', 'upload-metadata']) assert.equal(elsewhere.headers[h], undefined, h);
  });

  it('the owner gets one answer per upload: the canonical URL (any case) works, every other shape is 404', async () => {
    const auth = { authorization: `Bearer ${victim.token}` };
    const upper = await raw(stack.url, `/uploads/${victimId.toUpperCase()}`, 'HEAD', auth);
    assert.equal(upper.status, 200, 'an upper-case spelling is the same upload');
    assert.equal(upper.headers['upload-offset'], String(VICTIM_SENT));
    const odd = [`/uploads/${victimId}/`, `/uploads/${victimId}?a=b`, `/uploads/${victimId}/extra`, `/uploads/x/../${victimId}`, `/uploads/${victimId}%2F`];
    for (const path of odd) {
      for (const method of ['HEAD', 'PATCH', 'DELETE']) {
        const headers = method === 'PATCH' ? { ...auth, 'upload-offset': String(VICTIM_SENT), 'content-type': 'application/offset+octet-stream' } : auth;
        const r = await raw(stack.url, path, method, headers, method === 'PATCH' ? Buffer.alloc(10, 3) : undefined);
        assert.equal(r.status, 404, `${method} ${path}`);
      }
    }
    assert.deepEqual(await state(victimId, victim.token), { status: 200, offset: String(VICTIM_SENT), length: String(VICTIM_SIZE), row: 'UPLOADING' });
    // Termination through the canonical URL still works, and only for the owner's own upload.
    assert.equal((await raw(stack.url, `/uploads/${victimId}`, 'DELETE', auth)).status, 204);
    // The row goes right after the response (the tus server's terminate event).
    for (let i = 0; i < 50 && (await state(victimId, victim.token)).row !== 'gone'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await state(victimId, victim.token)).row, 'gone');
    assert.equal((await state(attackerId, attacker.token)).row, 'UPLOADING');
    assert.equal((await raw(stack.url, `/uploads/${attackerId}`, 'DELETE', { authorization: `Bearer ${attacker.token}` })).status, 204);
  });
});
