/**
 * The signed-in session: the service's token, kept in the tab's sessionStorage (gone when the tab
 * closes, never in an address, a cookie or localStorage). Components follow it with `useToken`.
 */
import { useSyncExternalStore } from 'react';

const key = 'sqlmig.token';
const listeners = new Set<() => void>();

export function currentToken(): string | null {
  return window.sessionStorage.getItem(key);
}

export function signIn(token: string): void {
  window.sessionStorage.setItem(key, token);
  for (const notify of listeners) notify();
}

export function signOut(): void {
  window.sessionStorage.removeItem(key);
  for (const notify of listeners) notify();
}

export function useToken(): string | null {
  return useSyncExternalStore((notify) => {
    listeners.add(notify);
    return () => listeners.delete(notify);
  }, currentToken);
}
