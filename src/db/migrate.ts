import 'reflect-metadata';
import { loadConfigOrExit } from '../config/config';
import { createDataSource, ensureDatabase } from './data-source';

/** `npm run migrate` applies pending migrations; `npm run migrate -- down` reverts the last one. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await ensureDatabase(config.databaseUrl);
  const ds = createDataSource({ url: config.databaseUrl });
  await ds.initialize();
  try {
    if (process.argv[2] === 'down') {
      await ds.undoLastMigration({ transaction: 'each' });
      process.stdout.write('Reverted the last migration\n');
    } else {
      const ran = await ds.runMigrations({ transaction: 'each' });
      process.stdout.write(`Applied ${ran.length} migration(s)\n`);
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
