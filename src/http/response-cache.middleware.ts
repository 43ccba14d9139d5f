import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../config/logger';
import type { ResponseCache } from '../cache/response-cache';
import { planResponseCache, type CachePlan } from '../graphql/response-cache-policy';

/** Distinct query texts whose plan is remembered (clients send a handful of queries, over and over). */
const MAX_PLANS = 1000;

interface GraphQLParams {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown> | null;
}

/**
 * In front of Apollo on /graphql: anonymous public reads (see graphql/response-cache-policy.ts)
 * are answered from Redis without parsing, validating or executing anything; a miss runs as
 * usual and its response is stored if it has no errors. These responses say
 * `Cache-Control: public, max-age=<ttl>` so a CDN may keep them as long; a request with an
 * Authorization header never comes here, so nothing private is ever marked public.
 */
export function responseCacheMiddleware(cache: ResponseCache, logger: Logger): RequestHandler {
  const plans = new Map<string, CachePlan | null>();
  const planOf = (p: GraphQLParams): CachePlan | null => {
    const key = `${p.operationName ?? ''}\n${p.query}`;
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = planResponseCache(p.query, p.operationName);
      if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as string);
      plans.set(key, plan);
    }
    return plan;
  };
  const cacheControl = `public, max-age=${cache.opts.ttlSeconds}`;
  const inflight = new Map<string, Promise<string | null>>();

  return (req: Request, res: Response, next: NextFunction) => {
    if (!cache.opts.enabled || req.headers.authorization) return next();
    const params = paramsOf(req);
    if (!params) return next();
    // The plan first (a Map lookup once a query text has been seen): requests that may not be
    // cached pay nothing more, not even a Redis round trip.
    const tags = planOf(params)?.tags(params.variables);
    if (!tags) return next();
    const key = cache.keyOf(params.query, params.operationName, params.variables);
    void (async () => {
      const found = await cache.lookup(key);
      if ('hit' in found) {
        res.status(200).set({ 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl }).send(found.hit);
        return;
      }
      const { generation } = found;
      // Single flight: identical misses at the same generation (no edit in between) wait for the
      // first one's answer instead of each executing it — an expiring popular query would
      // otherwise run once per connection waiting on it.
      const flight = `${key}@${generation}`;
      const leader = inflight.get(flight);
      if (leader) {
        const body = await leader;
        if (body !== null) {
          res.status(200).set({ 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl }).send(body);
          return;
        }
        return next();
      }
      let settle: (body: string | null) => void = () => undefined;
      inflight.set(flight, new Promise<string | null>((resolve) => (settle = resolve)));
      let settled = false;
      const done = (body: string | null) => {
        if (settled) return;
        settled = true;
        inflight.delete(flight);
        settle(body);
      };
      res.once('close', () => done(null)); // answered some other way, or the client went away
      const send = res.send.bind(res);
      res.send = ((body: unknown) => {
        res.send = send;
        if (res.statusCode === 200 && typeof body === 'string' && !body.includes('"errors":')) {
          res.setHeader('cache-control', cacheControl);
          done(body);
          cache.fill(key, body, tags, generation).catch((err: unknown) => logger.warn({ err }, 'response cache fill failed'));
        } else done(null);
        return send(body);
      }) as Response['send'];
      next();
    })().catch((err: unknown) => {
      // Redis unavailable: answer without the cache.
      logger.warn({ err }, 'response cache unavailable');
      if (!res.headersSent) next();
    });
  };
}

/**
 * The request's query, if it is one the cache may answer: JSON POST, or GET with the header
 * Apollo's CSRF prevention asks for (so the cache never answers what Apollo would refuse).
 */
function paramsOf(req: Request): GraphQLParams | null {
  let raw: { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown };
  if (req.method === 'POST' && req.is('application/json')) raw = (req.body ?? {}) as typeof raw;
  else if (req.method === 'GET' && (req.headers['apollo-require-preflight'] || req.headers['x-apollo-operation-name'])) {
    const q = req.query as Record<string, unknown>;
    let variables: unknown = null;
    try {
      variables = typeof q.variables === 'string' ? JSON.parse(q.variables) : null;
    } catch {
      return null;
    }
    raw = { query: q.query, operationName: q.operationName, variables, extensions: q.extensions };
  } else return null;
  if (typeof raw.query !== 'string' || raw.extensions !== undefined) return null;
  const operationName = typeof raw.operationName === 'string' ? raw.operationName : null;
  const variables = raw.variables && typeof raw.variables === 'object' && !Array.isArray(raw.variables) ? (raw.variables as Record<string, unknown>) : raw.variables == null ? null : undefined;
  if (variables === undefined) return null;
  return { query: raw.query, operationName, variables };
}
