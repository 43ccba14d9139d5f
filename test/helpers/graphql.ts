import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown>; path?: unknown[] }[];
}

/** A plain GraphQL-over-HTTP client, as any app would send. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResult<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResult<T>, 'status'>;
  return { status: res.status, ...body };
}

export function errorCode(result: GqlResult<unknown>): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

let counter = 0;

/** Signs up a fresh user; returns its token and id. */
export async function signUp(url: string, name = 'Tester'): Promise<{ token: string; userId: string; email: string }> {
  counter += 1;
  const email = `user${Date.now()}${counter}${Math.floor(Math.random() * 1e6)}@example.com`;
  const r = await gql<{ signUp: { token: string; user: { id: string } } }>(
    url,
    'mutation($e:String!,$p:String!,$n:String!){ signUp(email:$e,password:$p,displayName:$n){ token user{ id } } }',
    { e: email, p: 'correct horse battery', n: name },
  );
  if (!r.data) throw new Error(`signUp failed: ${JSON.stringify(r.errors)}`);
  return { token: r.data.signUp.token, userId: r.data.signUp.user.id, email };
}

export function wsClient(url: string, token?: string): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Collects events of one subscription until `until` says stop (or the timeout fails it). */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  until: (event: T, all: T[]) => boolean,
  timeoutMs = 60_000,
): { done: Promise<T[]>; ready: Promise<void> } {
  const events: T[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`subscription timed out after ${events.length} events: ${JSON.stringify(events.slice(-3))}`));
    }, timeoutMs);
    const dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (msg) => {
          if (msg.errors) {
            clearTimeout(timer);
            reject(new Error(JSON.stringify(msg.errors)));
            return;
          }
          const ev = msg.data as T;
          events.push(ev);
          if (until(ev, events)) {
            clearTimeout(timer);
            dispose();
            resolve(events);
          }
        },
        error: (err) => {
          clearTimeout(timer);
          // A CloseEvent (with .code) when the server refuses the connection.
          reject(err);
        },
        complete: () => {
          clearTimeout(timer);
          resolve(events);
        },
      },
    );
    // graphql-ws has no "subscribed" ack; the connection being open is the closest signal.
    client.on('connected', () => setTimeout(markReady, 100));
  });
  return { done, ready };
}
