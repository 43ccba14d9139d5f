import { stringifyDocument } from '@urql/core';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/**
 * A mutation with one file as a GraphQL multipart request: urql's fetch exchange sends JSON only,
 * and Apollo's CSRF prevention wants a non-simple header on multipart bodies
 * (apollo-require-preflight). The file goes in `variables.file`. Resolves with the data when the
 * server accepted it; rejects with the server's message otherwise.
 */
export async function sendMultipart<R, V extends { file: File }>(token: string, document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const { file, ...rest } = variables;
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: stringifyDocument(document), variables: { ...rest, file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', file, file.name);
  const res = await fetch('/graphql', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' }, body: form });
  const body = (await res.json().catch(() => ({}))) as { data?: R; errors?: { message: string }[] };
  if (!res.ok || body.errors?.length || !body.data) throw new Error(body.errors?.[0]?.message ?? `The server answered ${res.status}`);
  return body.data;
}
