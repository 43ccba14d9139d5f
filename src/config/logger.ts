import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

/** JSON lines in production; human-readable lines when developing on a terminal. */
export function createLogger(config: Pick<Config, 'env' | 'logLevel'>, name: string): Logger {
  const pretty = config.env === 'development' && process.stdout.isTTY;
  return pino({
    name,
    level: config.logLevel,
    redact: ['req.headers.authorization', 'password', '*.password'],
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
