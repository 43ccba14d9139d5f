import 'reflect-metadata';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';

export interface DataSourceOptions {
  url: string;
  /** Counts statements: tests and metrics use it to prove batching. */
  onQuery?: (sql: string) => void;
}

class CountingLogger implements TypeOrmLogger {
  constructor(private readonly onQuery: (sql: string) => void) {}
  logQuery(query: string): void {
    this.onQuery(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'mysql',
    url: opts.url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    extra: { connectionLimit: 10 },
    ...(opts.onQuery ? { logging: ['query'] as const, logger: new CountingLogger(opts.onQuery) } : {}),
  });
}

/** Creates the database named in the URL if it does not exist (first run on a fresh server). */
export async function ensureDatabase(url: string): Promise<void> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Database name "${name}" must be letters, digits and _`);
  parsed.pathname = '/';
  const admin = new DataSource({ type: 'mysql', url: parsed.toString() });
  await admin.initialize();
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}
