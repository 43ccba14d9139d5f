import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  url: string;
  /** Where to forward; set once the target has started (its URL may depend on ours). */
  target(url: string): void;
  /** Drops every open connection at once, as a network outage does. */
  cut(): number;
  /** An outage that lasts: open connections are cut and new ones refused until `up()`. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy whose connections a test can cut, to make a real network drop. */
export async function startTcpProxy(): Promise<TcpProxy> {
  let targetPort = 0;
  let isDown = false;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    if (isDown) {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    track(client);
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    target: (url) => void (targetPort = Number(new URL(url).port)),
    cut() {
      const n = sockets.size;
      for (const s of sockets) s.resetAndDestroy();
      return n;
    },
    down() {
      isDown = true;
      for (const s of sockets) s.resetAndDestroy();
    },
    up() {
      isDown = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
