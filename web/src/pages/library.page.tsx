import { useState } from 'react';
import { useQuery } from 'urql';
import { errorMessage } from '../client';
import { VideoCard } from '../components/video-card';
import { ContinueWatchingQuery, MyVideosQuery, PublicVideosQuery, type Connection } from '../graphql/operations';
import { Link } from '../router';

const PAGE_SIZE = 12;

type Source = 'mine' | 'public';

/** One page of a cursor-paginated list; the last page offers the next one. */
function VideoPage({ source, after, isLast, onMore }: { source: Source; after: string | null; isLast: boolean; onMore: (cursor: string) => void }) {
  const [mine] = useQuery({ query: MyVideosQuery, variables: { first: PAGE_SIZE, after }, pause: source !== 'mine' });
  const [pub] = useQuery({ query: PublicVideosQuery, variables: { first: PAGE_SIZE, after }, pause: source !== 'public' });
  const result = source === 'mine' ? mine : pub;
  const conn: Connection | undefined = source === 'mine' ? mine.data?.me?.videos : pub.data?.videos;
  if (result.error) return <p role="alert" className="error">{errorMessage(result.error)}</p>;
  if (!conn) return result.fetching ? <p aria-busy="true">Loading…</p> : null;
  if (after === null && conn.edges.length === 0) {
    return (
      <p className="empty">
        {source === 'mine' ? <>You have no videos yet. <Link to="/upload">Upload one</Link>.</> : 'No public videos yet.'}
      </p>
    );
  }
  return (
    <>
      <ul className="grid">
        {conn.edges.map((e) => <VideoCard key={e.node.id} video={e.node} />)}
      </ul>
      {isLast && conn.pageInfo.hasNextPage && conn.pageInfo.endCursor && (
        <button type="button" className="more" onClick={() => onMore(conn.pageInfo.endCursor!)}>Load more</button>
      )}
    </>
  );
}

function VideoList({ source, title }: { source: Source; title: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const id = `${source}-heading`;
  return (
    <section aria-labelledby={id} data-testid={`${source}-videos`}>
      <h2 id={id}>{title}</h2>
      {cursors.map((after, i) => (
        <VideoPage
          key={after ?? 'first'}
          source={source}
          after={after}
          isLast={i === cursors.length - 1}
          onMore={(cursor) => setCursors((c) => [...c, cursor])}
        />
      ))}
    </section>
  );
}

function ContinueWatching() {
  const [{ data }] = useQuery({ query: ContinueWatchingQuery, variables: { first: 6 } });
  const entries = data?.continueWatching ?? [];
  if (!entries.length) return null;
  return (
    <section aria-labelledby="continue-heading" data-testid="continue-watching">
      <h2 id="continue-heading">Continue watching</h2>
      <ul className="grid">
        {entries.map((e) => <VideoCard key={e.video.id} video={e.video} resumeAt={e.positionSeconds} />)}
      </ul>
    </section>
  );
}

export function LibraryPage({ signedIn }: { signedIn: boolean }) {
  return (
    <>
      <h1>Library</h1>
      {signedIn && <ContinueWatching />}
      {signedIn && <VideoList source="mine" title="My videos" />}
      <VideoList source="public" title="Public videos" />
    </>
  );
}
