import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';
import { redactUrl } from './redact';

export type { Logger };

/**
 * JSON lines in production; human-readable lines when developing on a terminal. Secrets never
 * reach a line: authorization headers and passwords are removed, and any `url` field has its
 * media token (and presigned signature) replaced by `[REDACTED]`.
 */
export function createLogger(config: Pick<Config, 'env' | 'logLevel'>, name: string, destination?: DestinationStream): Logger {
  const pretty = !destination && config.env === 'development' && process.stdout.isTTY;
  const options = {
    name,
    level: config.logLevel,
    redact: ['req.headers.authorization', 'password', '*.password'],
    serializers: { url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url) },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
