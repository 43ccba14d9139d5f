import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../config/logger';

/**
 * One line per request once it is answered: method, URL, status, time, client. The URL goes
 * through the logger's `url` serializer, which redacts media tokens (private videos' segment and
 * manifest URLs carry them in the query string).
 */
export function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10, ip: req.ip }, 'request');
    });
    next();
  };
}
