import { useEffect, useMemo } from 'react';
import { Provider, useQuery } from 'urql';
import { createApiClient } from './client';
import { MeQuery } from './graphql/operations';
import { LibraryPage } from './pages/library.page';
import { SignInPage } from './pages/sign-in.page';
import { UploadPage } from './pages/upload.page';
import { WatchPage } from './pages/watch.page';
import { WebhooksPage } from './pages/webhooks.page';
import { Link, navigate, useLocation } from './router';
import { session, useSessionExpired, useToken } from './session';

export function App() {
  const token = useToken();
  // A new token means a new identity: start from a fresh cache and a fresh WebSocket.
  const client = useMemo(() => createApiClient(token), [token]);
  return (
    <Provider value={client}>
      <Shell token={token} />
    </Provider>
  );
}

/** Keyed by token, so a result for an old token can never be mistaken for the new one's. */
function Account({ token }: { token: string | null }) {
  const [me] = useQuery({ query: MeQuery, pause: !token });
  // A token the server no longer accepts answers `me` with null.
  useEffect(() => {
    if (token && me.data && me.data.me === null) session.expire();
  }, [token, me.data]);
  const user = token ? me.data?.me : null;
  return (
    <div className="account">
      {user ? (
        <>
          <span data-testid="signed-in-as">Signed in as {user.displayName}</span>
          <button type="button" onClick={() => { session.signOut(); navigate('/'); }}>Sign out</button>
        </>
      ) : (
        <>
          <Link to="/signin">Sign in</Link>
          <Link to="/signup">Sign up</Link>
        </>
      )}
    </div>
  );
}

function Shell({ token }: { token: string | null }) {
  const location = useLocation();
  const path = location.split('?')[0]!;
  const expired = useSessionExpired();

  const watch = /^\/watch\/([^/]+)$/.exec(path);
  let page;
  if (path === '/') page = <LibraryPage signedIn={!!token} />;
  else if (path === '/signin') page = <SignInPage mode="signin" />;
  else if (path === '/signup') page = <SignInPage mode="signup" />;
  else if (path === '/upload') page = <UploadPage />;
  else if (path === '/webhooks') page = <WebhooksPage />;
  else if (watch) page = <WatchPage id={decodeURIComponent(watch[1]!)} />;
  else page = <h1>Page not found</h1>;

  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <nav aria-label="Main">
          <Link to="/" className="brand">Video platform</Link>
          <Link to="/" aria-current={path === '/' ? 'page' : undefined}>Library</Link>
          <Link to="/upload" aria-current={path === '/upload' ? 'page' : undefined}>Upload</Link>
          {token && <Link to="/webhooks" aria-current={path === '/webhooks' ? 'page' : undefined}>Webhooks</Link>}
          <a href="/graphql">GraphiQL</a>
        </nav>
        <Account key={token ?? 'anonymous'} token={token} />
      </header>
      {expired && (
        <p role="alert" className="banner">Your session has expired. Please sign in again.</p>
      )}
      <main id="main" tabIndex={-1}>{page}</main>
    </>
  );
}
