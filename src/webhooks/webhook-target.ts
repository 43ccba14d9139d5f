import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { withTimeout } from '../utils/timeout';
import { checkAddress } from './address-policy';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → addresses; the system resolver by default, a fake in tests of rebinding. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** A target the policy refused, or that could not be resolved; the message is safe to show its owner. */
export class TargetError extends Error {
  constructor(
    message: string,
    /** True when the policy refused it (retrying cannot help while the setting stands). */
    readonly refused: boolean,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/**
 * Resolves an endpoint's host and checks every address it has: one refused address refuses
 * the name (a name that mixes public and private addresses is a rebinding trick). The caller
 * must connect to the address returned, never resolve the name again (no rebinding window).
 */
export class WebhookTarget {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolve: Resolver = systemResolver,
    /** A slow resolver must not hold a mutation or a delivery attempt for the OS's own timeout. */
    private readonly resolveTimeoutMs = 5000,
  ) {}

  async resolveChecked(url: URL): Promise<ResolvedAddress> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: ResolvedAddress[];
    const literal = isIP(host);
    if (literal) {
      addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await withTimeout(this.resolve(host), this.resolveTimeoutMs, 'DNS lookup');
      } catch (err) {
        const why = (err as { code?: string }).code ?? (/timed out/.test((err as Error).message) ? 'timed out' : 'DNS error');
        throw new TargetError(`The endpoint's host could not be resolved (${why})`, false);
      }
      if (!addresses.length) throw new TargetError("The endpoint's host has no address", false);
    }
    for (const a of addresses) {
      const verdict = checkAddress(a.address, this.allowPrivate);
      if (!verdict.ok) throw new TargetError(`The endpoint is on a non-public address (${verdict.range}); webhooks only reach public hosts`, true);
    }
    return addresses[0]!;
  }
}
