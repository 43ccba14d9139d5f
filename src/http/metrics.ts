import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  graphqlOperations: Counter<'type' | 'outcome'>;
  uploads: UploadTraffic;
  wsConnections: Gauge;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by type and outcome',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    uploads: new UploadTraffic(registry),
    wsConnections: new Gauge({ name: 'websocket_connections', help: 'Open graphql-ws connections', registers: [registry] }),
  };
}

/**
 * Upload requests (GraphQL multipart, tus POST/PATCH) in flight and the bytes they brought, counted
 * from their sockets: listening to the body stream itself would change how it flows. A 10 GB upload
 * is one request, so bytes still arriving are added at every scrape, not only when it ends.
 */
export class UploadTraffic {
  /** Each upload request in flight → the socket byte count already added to the counter. */
  private readonly inFlight = new Map<IncomingMessage, number>();
  /** Socket byte count when its previous request ended (keep-alive connections carry several). */
  private readonly socketMarks = new WeakMap<Socket, number>();
  private readonly bytes: Counter;

  constructor(registry: Registry) {
    const inFlight = this.inFlight;
    const count = (req: IncomingMessage) => this.count(req);
    new Gauge({
      name: 'uploads_in_flight',
      help: 'Upload requests (GraphQL multipart and tus) being received',
      registers: [registry],
      collect() {
        this.set(inFlight.size);
      },
    });
    this.bytes = new Counter({
      name: 'upload_bytes_total',
      help: 'Bytes received by upload requests (GraphQL multipart and tus), uploads still arriving included',
      registers: [registry],
      collect() {
        for (const req of inFlight.keys()) count(req);
      },
    });
  }

  static isUpload(req: IncomingMessage): boolean {
    const url = req.url ?? '';
    if (url.startsWith('/uploads')) return req.method === 'PATCH' || req.method === 'POST';
    return req.method === 'POST' && url.startsWith('/graphql') && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
  }

  /** Call for every request: even non-uploads move the socket's mark. */
  track(req: IncomingMessage, onDone: (cb: () => void) => void): void {
    const socket = req.socket;
    if (UploadTraffic.isUpload(req)) this.inFlight.set(req, this.socketMarks.get(socket) ?? 0);
    onDone(() => {
      this.count(req);
      this.inFlight.delete(req);
      this.socketMarks.set(socket, socket.bytesRead);
    });
  }

  private count(req: IncomingMessage): void {
    const seen = this.inFlight.get(req);
    if (seen === undefined) return;
    const now = req.socket.bytesRead;
    if (now > seen) this.bytes.inc(now - seen);
    this.inFlight.set(req, now);
  }
}

/** Labels by matched route pattern (not raw path) so video ids do not explode cardinality. */
export function httpMetricsMiddleware(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    metrics.uploads.track(req, (cb) => res.once('close', cb));
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? (req.baseUrl || 'unmatched');
      end({ method: req.method, route: String(route), status: String(res.statusCode) });
    });
    next();
  };
}
