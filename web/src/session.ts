import { useSyncExternalStore } from 'react';

// Shared with GraphiQL at /graphql, which reads the same key.
const KEY = 'vp-token';
const listeners = new Set<() => void>();
let expired = false;

function notify(): void {
  for (const fn of listeners) fn();
}

/** The bearer token in localStorage, and whether the last one was refused by the server. */
export const session = {
  token: (): string | null => localStorage.getItem(KEY),
  expired: (): boolean => expired,
  signIn(token: string): void {
    localStorage.setItem(KEY, token);
    expired = false;
    notify();
  },
  signOut(): void {
    localStorage.removeItem(KEY);
    expired = false;
    notify();
  },
  /** The server refused our token: forget it, and say so, so pages can ask to sign in again. */
  expire(): void {
    if (!localStorage.getItem(KEY)) return;
    localStorage.removeItem(KEY);
    expired = true;
    notify();
  },
  subscribe(fn: () => void): () => void {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

window.addEventListener('storage', (e) => {
  if (e.key === KEY) notify();
});

export const useToken = (): string | null => useSyncExternalStore(session.subscribe, session.token);
export const useSessionExpired = (): boolean => useSyncExternalStore(session.subscribe, session.expired);
