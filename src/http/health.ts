import { Router } from 'express';
import type { Registry } from 'prom-client';
import { withTimeout } from '../utils/timeout';

export interface HealthCheck {
  name: string;
  check: () => Promise<unknown>;
}

const TIMEOUT_MS = 2000;

/** /healthz: the process answers. /readyz: every dependency answers, else 503 naming the failures. */
export function healthRouter(checks: HealthCheck[], registry: Registry): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), TIMEOUT_MS, name);
          return { name, ok: true as const };
        } catch (err) {
          return { name, ok: false as const, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    const checksBody = Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : r.error]));
    res
      .status(failing.length ? 503 : 200)
      .set('Cache-Control', 'no-store')
      .json(failing.length ? { status: `unavailable: ${failing.join(', ')}`, code: 'SERVICE_UNAVAILABLE', checks: checksBody } : { status: 'ok', checks: checksBody });
  });
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  });
  return router;
}
