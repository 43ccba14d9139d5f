import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { Logger } from '../config/logger';
import { AppError, isOutage, serviceUnavailable } from '../errors';

// Codes Apollo and graphql-js assign to request-level faults; their messages are safe to show.
const passThrough = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNSUPPORTED_MEDIA',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
]);

/** Gives every error a contract code; masks the rest (no stack traces or SQL reach clients). */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof AppError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = original.extensions.validationErrors as { property: string; constraints?: Record<string, string> }[];
      const details = fields.map((f) => ({ field: f.property, problems: Object.values(f.constraints ?? {}) }));
      return { ...base, message: 'Invalid input', extensions: { code: 'BAD_USER_INPUT', validation: details } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && passThrough.has(code)) return { ...base, extensions: { code } };
    if (isOutage(original)) {
      // A dependency (MySQL, Redis, storage) is unreachable: retryable, and not a bug to mask.
      logger.warn({ err: original }, 'a dependency is unavailable');
      const unavailable = serviceUnavailable();
      return { ...base, message: unavailable.message, extensions: { code: unavailable.code, ...unavailable.details } };
    }
    logger.error({ err: original }, 'unhandled GraphQL error');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
