import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { badInput, isOutage } from '../../src/errors';
import { createErrorFormatter } from '../../src/graphql/errors';

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** The error Node gives a connection to a dependency that is not there. */
async function refusedConnection(): Promise<Error> {
  const port = await closedPort();
  return new Promise((resolve) => connect(port, '127.0.0.1').once('error', resolve));
}

describe('isOutage: a dependency unreachable, told apart from faults of the request or the code', () => {
  it('recognises a refused connection, as raised and as TypeORM wraps it', async () => {
    const refused = await refusedConnection();
    assert.equal((refused as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.ok(isOutage(refused));
    assert.ok(isOutage(new QueryFailedError('SELECT 1', [], refused)));
    assert.ok(isOutage(new Error('storage write failed', { cause: refused })));
    assert.ok(isOutage(new AggregateError([refused], 'all attempts failed')));
  });

  it('recognises an ioredis command to a server that is not there', async () => {
    const redis = new Redis({ port: await closedPort(), host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    const err = await redis.get('k').then(() => null, (e: unknown) => e);
    redis.disconnect();
    assert.ok(err instanceof Error, 'the command failed');
    assert.ok(isOutage(err), (err as Error).message);
  });

  it('leaves bugs and bad requests alone', () => {
    assert.equal(isOutage(new TypeError("Cannot read properties of undefined (reading 'id')")), false);
    assert.equal(isOutage(new QueryFailedError('SELECT', [], Object.assign(new Error("Unknown column 'x'"), { code: 'ER_BAD_FIELD_ERROR' }))), false);
    assert.equal(isOutage(badInput('nope')), false);
    assert.equal(isOutage(null), false);
  });
});

describe('the GraphQL error formatter and outages', () => {
  const format = createErrorFormatter(pino({ level: 'silent' }));
  const resolverError = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['videos'] });

  it('answers SERVICE_UNAVAILABLE (retryable) for a dependency unreachable, without its details', async () => {
    const err = resolverError(new QueryFailedError('SELECT secret FROM videos', [], await refusedConnection()));
    const out = format({ message: err.message, path: ['videos'] }, err);
    assert.equal(out.extensions?.code, 'SERVICE_UNAVAILABLE');
    assert.equal(typeof out.extensions?.retryAfterSeconds, 'number');
    assert.doesNotMatch(out.message, /SELECT|127\.0\.0\.1/);
  });

  it('still masks anything else as INTERNAL_SERVER_ERROR', () => {
    const err = resolverError(new TypeError('x is undefined'));
    assert.equal(format({ message: err.message }, err).extensions?.code, 'INTERNAL_SERVER_ERROR');
  });
});
