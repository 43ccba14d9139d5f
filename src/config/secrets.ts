import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The secrets the API signs with when the environment gives none. */
export interface SigningSecrets {
  jwtSecret: string;
  mediaSigningSecret: string;
}

/** Where the generated secrets live inside DATA_DIR. */
export const SECRETS_FILE = 'secrets.json';

/** Fresh random secrets (256 bits each). */
export function randomSecrets(): SigningSecrets {
  return { jwtSecret: randomBytes(32).toString('base64url'), mediaSigningSecret: randomBytes(32).toString('base64url') };
}

/**
 * The installation's own secrets: made on first start, kept in `<dataDir>/secrets.json` readable
 * by the owner only (0600), read back on every later start, so tokens and signed URLs survive
 * restarts and no two installations share a key. Created with link(2), which fails if another
 * process got there first: the file is only ever seen whole.
 */
export function persistedSecrets(dataDir: string): SigningSecrets {
  const file = path.join(dataDir, SECRETS_FILE);
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, `${JSON.stringify(randomSecrets())}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  // Tightened if someone loosened it (a copy, a restore from backup).
  if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
  let parsed: Partial<SigningSecrets>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SigningSecrets>;
  } catch {
    parsed = {};
  }
  const ok = (v: unknown): v is string => typeof v === 'string' && v.length >= 32;
  if (!ok(parsed.jwtSecret) || !ok(parsed.mediaSigningSecret)) {
    throw new Error(`${file} is not a secrets file; remove it to generate new secrets (signed-in users must sign in again)`);
  }
  return { jwtSecret: parsed.jwtSecret, mediaSigningSecret: parsed.mediaSigningSecret };
}

/** A media secret from a given JWT secret: a one-way derivation, so neither reveals the other. */
export function deriveMediaSecret(jwtSecret: string): string {
  return createHmac('sha256', jwtSecret).update('video-platform media signing').digest('base64url');
}
