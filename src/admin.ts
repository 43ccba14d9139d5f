import 'reflect-metadata';
import { loadConfigOrExit } from './config/config';
import { createDataSource, ensureDatabase } from './db/data-source';
import { UserRepository } from './db/repositories/user.repository';

/**
 * `npm run admin -- <email>`: makes an existing account an administrator (the queue dashboard).
 * The only way to grant the right: run by whoever runs the platform, after the account's owner
 * signed up. Exits 1 when no account has that email.
 */
async function main(): Promise<void> {
  const email = process.argv[2]?.trim().toLowerCase();
  if (!email) {
    process.stderr.write('Usage: npm run admin -- <email>\n');
    process.exit(64);
  }
  const config = loadConfigOrExit();
  await ensureDatabase(config.databaseUrl);
  const ds = createDataSource({ url: config.databaseUrl });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    if (!(await new UserRepository(ds).grantAdmin(email))) {
      process.stderr.write(`No account with the email ${email}; sign up first\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`${email} is now an administrator\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`admin failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
