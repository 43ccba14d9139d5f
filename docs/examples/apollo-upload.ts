// Apollo Client 4 + apollo-upload-client + graphql-ws against this API, with the types GraphQL Code
// Generator makes from schema.graphql (`npm run codegen`; see docs/typed-clients.md). Type-checked by
// test/unit/codegen.test.ts.
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { createClient } from 'graphql-ws';
import { FollowVideoDocument, UploadVideoDocument, VideoPlaybackDocument, type FollowVideoSubscription } from './generated';

type Progress = FollowVideoSubscription['videoProgress'];

/** Queries and uploads over HTTP (multipart when a variable holds a File), subscriptions over graphql-ws. */
export function createVideoClient(apiUrl: string, token: string): ApolloClient {
  const authorization = `Bearer ${token}`;
  const http = new UploadHttpLink({
    uri: `${apiUrl}/graphql`,
    // The API's CSRF prevention refuses "simple" requests; multipart ones need a non-simple header.
    headers: { authorization, 'apollo-require-preflight': 'true' },
  });
  const ws = new GraphQLWsLink(createClient({ url: `${apiUrl.replace(/^http/, 'ws')}/graphql`, connectionParams: { authorization } }));
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const definition = getMainDefinition(query);
    return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
  };
  return new ApolloClient({ link: ApolloLink.split(isSubscription, ws, http), cache: new InMemoryCache() });
}

/**
 * Uploads a file, follows its processing until READY or FAILED, and returns its HLS URL.
 * `onProgress` sees each phase (PROBE, TRANSCODE per rung, THUMBNAILS, PUBLISH).
 */
export async function uploadAndFollow(client: ApolloClient, file: File, onProgress: (p: Progress) => void): Promise<string> {
  const uploaded = await client.mutate({
    mutation: UploadVideoDocument,
    variables: { file, input: { title: file.name, visibility: 'PUBLIC', sizeBytes: file.size } },
  });
  const videoId = uploaded.data?.uploadVideo.id;
  if (!videoId) throw new Error(uploaded.error?.message ?? 'upload failed');

  const current = () => client.query({ query: VideoPlaybackDocument, variables: { id: videoId }, fetchPolicy: 'network-only' });
  await new Promise<void>((resolve, reject) => {
    const finished = (status: string | undefined) => {
      if (status !== 'READY' && status !== 'FAILED') return;
      subscription.unsubscribe();
      resolve();
    };
    const subscription = client.subscribe({ query: FollowVideoDocument, variables: { videoId } }).subscribe({
      next: ({ data, error }) => {
        if (error) return reject(error);
        if (!data) return;
        onProgress(data.videoProgress);
        finished(data.videoProgress.status);
      },
      error: reject,
    });
    // Events are live only: processing may have finished before the subscription started.
    current().then((r) => finished(r.data?.video?.status), reject);
  });

  const { data } = await current();
  if (data?.video?.status !== 'READY' || !data.video.playback) throw new Error(data?.video?.failureReason ?? 'processing failed');
  return data.video.playback.hlsUrl;
}
