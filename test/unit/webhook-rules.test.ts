import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors';
import { checkAddress } from '../../src/webhooks/address-policy';
import { TargetError, WebhookTarget } from '../../src/webhooks/webhook-target';
import { validateUrl } from '../../src/webhooks/webhook.service';

describe('webhook address policy', () => {
  it('lets globally routable unicast addresses through', () => {
    for (const ip of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4007:80e::200e']) {
      assert.deepEqual(checkAddress(ip, false), { ok: true }, ip);
    }
  });

  it('refuses loopback, private, link-local, CGNAT, unique-local, reserved and translated ranges by default', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'], ['127.10.0.3', 'loopback'], ['::1', 'loopback'],
      ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
      ['169.254.10.10', 'linkLocal'], ['fe80::1', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'], ['100.127.255.254', 'carrierGradeNat'],
      ['fc00::1', 'uniqueLocal'], ['fd12:3456::1', 'uniqueLocal'],
      ['192.0.2.1', 'reserved'], ['240.0.0.1', 'reserved'],
      ['::ffff:127.0.0.1', 'loopback'], ['::ffff:10.0.0.1', 'private'], // IPv4-mapped: judged as the IPv4 they carry
      ['64:ff9b::7f00:1', 'rfc6052'], ['2002:7f00:1::', '6to4'],
    ];
    for (const [ip, range] of cases) assert.deepEqual(checkAddress(ip, false), { ok: false, range }, ip);
  });

  it('never lets metadata, multicast, broadcast or unspecified addresses through, even when private ones are allowed', () => {
    for (const ip of ['169.254.169.254', 'fd00:ec2::254', 'fd00:0ec2:0000::0254', '100.100.100.200', '::ffff:169.254.169.254']) {
      assert.deepEqual(checkAddress(ip, true), { ok: false, range: 'metadata' }, ip);
    }
    for (const ip of ['224.0.0.1', 'ff02::1', '255.255.255.255', '0.0.0.0', '::']) assert.equal(checkAddress(ip, true).ok, false, ip);
  });

  it('allows loopback and private ranges when the setting says so', () => {
    for (const ip of ['127.0.0.1', '::1', '10.0.0.5', '192.168.0.10', '100.64.1.1', 'fd12::1']) assert.deepEqual(checkAddress(ip, true), { ok: true }, ip);
  });
});

describe('webhook target resolution', () => {
  const resolveTo = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));

  it('refuses a name when any of its addresses is refused (mixed public/private answers are a rebinding trick)', async () => {
    const target = new WebhookTarget(false, resolveTo('93.184.215.14', '127.0.0.1'));
    await assert.rejects(target.resolveChecked(new URL('https://hooks.example.com/x')), (err: unknown) => err instanceof TargetError && err.refused);
  });

  it('returns the checked address, and checks IP literals without resolving them', async () => {
    let lookups = 0;
    const target = new WebhookTarget(false, async () => {
      lookups += 1;
      return [{ address: '93.184.215.14', family: 4 }];
    });
    assert.deepEqual(await target.resolveChecked(new URL('https://hooks.example.com/x')), { address: '93.184.215.14', family: 4 });
    await assert.rejects(target.resolveChecked(new URL('http://[::1]:8080/')), TargetError);
    // The WHATWG parser normalises decimal and hex IPv4 spellings before the policy sees them.
    await assert.rejects(target.resolveChecked(new URL('http://2130706433/')), TargetError);
    await assert.rejects(target.resolveChecked(new URL('http://0x7f.1/')), TargetError);
    assert.equal(lookups, 1);
  });

  it('reports an unresolvable name as not refused (a retry may succeed)', async () => {
    const target = new WebhookTarget(false, async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    });
    await assert.rejects(target.resolveChecked(new URL('https://nowhere.invalid/')), (err: unknown) => err instanceof TargetError && !err.refused && /ENOTFOUND/.test(err.message));
  });

  it('gives up on a resolver that does not answer in time', async (t) => {
    const target = new WebhookTarget(false, () => new Promise(() => undefined), 100);
    const alive = setTimeout(() => undefined, 5000); // the guard's timer is unref'd, as a server would keep the loop alive
    t.after(() => clearTimeout(alive));
    await assert.rejects(target.resolveChecked(new URL('https://slow.example/')), (err: unknown) => err instanceof TargetError && !err.refused && /timed out/.test(err.message));
  });
});

describe('webhook URL rules', () => {
  const code = (raw: string) => {
    try {
      validateUrl(raw);
      return 'ok';
    } catch (err) {
      return err instanceof AppError ? err.code : 'other';
    }
  };

  it('accepts http and https URLs and drops the fragment', () => {
    assert.equal(validateUrl(' https://hooks.example.com/in?x=1#frag ').toString(), 'https://hooks.example.com/in?x=1');
    assert.equal(code('http://hooks.example.com:8080/'), 'ok');
  });

  it('refuses other schemes, credentials, garbage and overlong URLs', () => {
    for (const raw of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://x/', 'https://user:pw@example.com/', 'not a url', '', `https://example.com/${'a'.repeat(2048)}`]) {
      assert.equal(code(raw), 'BAD_USER_INPUT', raw);
    }
  });
});
