import { loadConfigOrExit, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { assertBinaries } from './system-check';

/**
 * Entry point of a process: validated config, required binaries, then `start`; SIGTERM or
 * SIGINT closes what it returned (draining work) before exiting.
 */
export function runProcess(
  name: 'api' | 'worker',
  binaries: (config: Config) => string[],
  start: (config: Config, logger: Logger) => Promise<{ close(): Promise<void> }>,
): void {
  const config = loadConfigOrExit();
  const logger = createLogger(config, name);
  assertBinaries(binaries(config));
  start(config, logger)
    .then((running) => {
      const stop = (signal: string) => {
        logger.info({ signal }, `${name} shutting down`);
        running.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    })
    .catch((err: unknown) => {
      logger.fatal({ err }, `${name} failed to start`);
      process.exit(1);
    });
}
