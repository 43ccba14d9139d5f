require('reflect-metadata');
process.on('unhandledRejection', (e) => { console.log('UNHANDLED', e && e.stack); });
const { loadConfig } = require('/work/wt/lead/dist/src/config/config');
const { openInfrastructure } = require('/work/wt/lead/dist/src/app/infrastructure');
const { buildCore } = require('/work/wt/lead/dist/src/app/core');
const { createLogger } = require('/work/wt/lead/dist/src/config/logger');
(async () => {
  const config = loadConfig({ ...process.env, S3_ENDPOINT: 'http://127.0.0.1:7480', S3_ACCESS_KEY: 'testaccess', S3_SECRET_KEY: 'testsecret', STORAGE_DRIVER: 's3', DATABASE_URL: 'mysql://root@127.0.0.1:3306/vp_dbg', JWT_SECRET: 'x'.repeat(40) });
  const logger = createLogger(config, 'dbg');
  const infra = await openInfrastructure({ ...config, migrateOnStart: true }, logger);
  const core = buildCore(config, logger, infra);
  await core.jobs.close();
  await infra.close();
  await new Promise((r) => setTimeout(r, 2000));
  console.log('done');
})().catch((e) => console.log('ERR', e));
