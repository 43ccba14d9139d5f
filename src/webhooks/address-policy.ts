import ipaddr from 'ipaddr.js';

/**
 * Which addresses a webhook may reach. Only globally routable unicast passes by default:
 * loopback, RFC 1918, link-local, CGNAT, unique-local, reserved, documentation and translation
 * ranges (6to4, Teredo, NAT64, which can embed a private IPv4) are refused. `allowPrivate`
 * (a setting, for development and tests) lets those through, but never the cloud metadata
 * endpoints, multicast, broadcast or unspecified addresses: nothing legitimate listens there.
 */
export type AddressVerdict = { ok: true } | { ok: false; range: string };

const METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);
const NEVER = new Set(['unspecified', 'broadcast', 'multicast']);

export function checkAddress(address: string, allowPrivate: boolean): AddressVerdict {
  if (!ipaddr.isValid(address)) return { ok: false, range: 'invalid' };
  // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 address it carries.
  const ip = ipaddr.process(address);
  if (METADATA.has(ip.toString())) return { ok: false, range: 'metadata' };
  const range = ip.range();
  if (range === 'unicast') return { ok: true };
  if (NEVER.has(range) || !allowPrivate) return { ok: false, range };
  return { ok: true };
}
