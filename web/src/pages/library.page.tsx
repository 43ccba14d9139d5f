import { useState } from 'react';
import { useQuery } from 'urql';
import { errorMessage } from '../client';
import { VideoCard } from '../components/video-card';
import { ContinueWatchingQuery, MyVideosQuery, PublicVideosQuery, type Connection, type VideoOrder } from '../graphql/operations';
import { Link } from '../router';

const PAGE_SIZE = 12;

type Source = 'mine' | 'public';

/** What the public list shows: the search box's words and the chosen order. */
interface Filter { search: string | null; orderBy: VideoOrder }
const UNFILTERED: Filter = { search: null, orderBy: 'NEWEST' };

/** One page of a cursor-paginated list; the last page offers the next one. */
function VideoPage({ source, filter, after, isLast, onMore }: { source: Source; filter: Filter; after: string | null; isLast: boolean; onMore: (cursor: string) => void }) {
  const [mine] = useQuery({ query: MyVideosQuery, variables: { first: PAGE_SIZE, after }, pause: source !== 'mine' });
  const [pub] = useQuery({ query: PublicVideosQuery, variables: { first: PAGE_SIZE, after, ...filter }, pause: source !== 'public' });
  const result = source === 'mine' ? mine : pub;
  const conn: Connection | undefined = source === 'mine' ? mine.data?.me?.videos : pub.data?.videos;
  if (result.error) return <p role="alert" className="error">{errorMessage(result.error)}</p>;
  if (!conn) return result.fetching ? <p aria-busy="true">Loading…</p> : null;
  if (after === null && conn.edges.length === 0) {
    return (
      <p className="empty">
        {source === 'mine' ? <>You have no videos yet. <Link to="/upload">Upload one</Link>.</> : filter.search ? `No public video matches “${filter.search}”.` : 'No public videos yet.'}
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

/** Search words are sent on submit (Enter); the order applies at once. Either starts again from the first page. */
function SearchForm({ onChange }: { onChange: (f: Filter) => void }) {
  const [text, setText] = useState('');
  const [orderBy, setOrderBy] = useState<VideoOrder>('NEWEST');
  const apply = (next: Partial<{ text: string; orderBy: VideoOrder }>) => onChange({ search: (next.text ?? text).trim() || null, orderBy: next.orderBy ?? orderBy });
  return (
    <form role="search" className="search" onSubmit={(e) => { e.preventDefault(); apply({}); }}>
      <input type="search" aria-label="Search public videos" placeholder="Search titles and descriptions" maxLength={100} value={text} onChange={(e) => setText(e.target.value)} />
      <select aria-label="Order" value={orderBy} onChange={(e) => { const o = e.target.value as VideoOrder; setOrderBy(o); apply({ orderBy: o }); }}>
        <option value="NEWEST">Newest</option>
        <option value="MOST_VIEWED">Most viewed</option>
        <option value="OLDEST">Oldest</option>
      </select>
      <button type="submit">Search</button>
    </form>
  );
}

function VideoList({ source, title }: { source: Source; title: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [filter, setFilter] = useState<Filter>(UNFILTERED);
  const id = `${source}-heading`;
  return (
    <section aria-labelledby={id} data-testid={`${source}-videos`}>
      <h2 id={id}>{title}</h2>
      {source === 'public' && <SearchForm onChange={(f) => { setFilter(f); setCursors([null]); }} />}
      {cursors.map((after, i) => (
        <VideoPage
          key={`${filter.orderBy}|${filter.search ?? ''}|${after ?? 'first'}`}
          source={source}
          filter={filter}
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
