import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { session } from './session';

export function errorCode(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The server's message for a failed operation, without urql's "[GraphQL]" prefix. */
export function errorMessage(error: CombinedError): string {
  return error.graphQLErrors[0]?.message ?? (error.networkError ? 'The server could not be reached' : error.message);
}

/** One client per token: queries over HTTP, subscriptions over graphql-ws, both with the bearer token. */
export function createApiClient(token: string | null): Client {
  const auth = token ? `Bearer ${token}` : null;
  const headers: Record<string, string> = auth ? { authorization: auth } : {};
  const ws = createWsClient({
    url: `${location.origin.replace(/^http/, 'ws')}/graphql`,
    lazy: true,
    retryAttempts: 5,
    connectionParams: auth ? { authorization: auth } : {},
    on: {
      // 4403: the server refused the token (expired or revoked).
      closed: (event) => {
        if ((event as CloseEvent | undefined)?.code === 4403) session.expire();
      },
    },
  });
  return new Client({
    url: '/graphql',
    preferGetMethod: false, // Apollo's CSRF prevention refuses simple GET requests
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => ({ headers }),
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          if (auth && errorCode(error) === 'UNAUTHENTICATED') session.expire();
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
}
