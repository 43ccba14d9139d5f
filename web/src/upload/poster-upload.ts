import { stringifyDocument } from '@urql/core';
import { SetPosterMutation } from '../graphql/operations';

/**
 * `setPoster` as a GraphQL multipart request: urql's fetch exchange sends JSON only, and Apollo's
 * CSRF prevention wants a non-simple header on multipart bodies (apollo-require-preflight).
 * Resolves when the server accepted the image; rejects with the server's message otherwise.
 */
export async function uploadPoster(token: string, videoId: string, file: File): Promise<void> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: stringifyDocument(SetPosterMutation), variables: { videoId, file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', file, file.name);
  const res = await fetch('/graphql', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' }, body: form });
  const body = (await res.json().catch(() => ({}))) as { errors?: { message: string }[] };
  if (!res.ok || body.errors?.length) throw new Error(body.errors?.[0]?.message ?? `The server answered ${res.status}`);
}
