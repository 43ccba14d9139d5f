import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

// A few routes do not need a router library: history.pushState plus one event.
const EVENT = 'vp:navigate';
const subscribe = (fn: () => void) => {
  window.addEventListener('popstate', fn);
  window.addEventListener(EVENT, fn);
  return () => {
    window.removeEventListener('popstate', fn);
    window.removeEventListener(EVENT, fn);
  };
};

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
  window.scrollTo(0, 0);
  // Like a page load for screen-reader and keyboard users: start from the new content.
  requestAnimationFrame(() => document.getElementById('main')?.focus());
}

export const useLocation = (): string => useSyncExternalStore(subscribe, () => location.pathname + location.search);

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
