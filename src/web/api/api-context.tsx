/**
 * The signed-in API client for every page (`useApi`), and `useResource`: a call made now and again
 * every `refreshMs` while the tab is visible — the dashboard's live updates, without reloading.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  type ReactNode,
} from 'react';

import type { ApiClient } from './api-client.js';
import { ApiRequestError } from './api-client.js';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi() is used outside the signed-in part of the app.');
  return client;
}

export interface Resource<T> {
  /** The last answer (kept while a refresh is under way or after a refresh failed). */
  readonly data: T | null;
  /** The last call's failure, cleared by the next success. */
  readonly error: ApiRequestError | null;
  readonly loading: boolean;
  /** Calls again now (after an action). */
  readonly refresh: () => void;
}

/**
 * Calls `load` at once and then every `refreshMs` (none when 0) while the page is visible. `key`
 * names what is loaded: a new key starts over (its old answer is not shown for the new one).
 */
export function useResource<T>(
  key: string,
  load: (api: ApiClient) => Promise<T>,
  refreshMs = 0,
): Resource<T> {
  const api = useApi();
  const [state, setState] = useState<{
    key: string;
    data: T | null;
    error: ApiRequestError | null;
  }>({ key, data: null, error: null });
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const inFlight = useRef(false);

  const run = useCallback(() => {
    const mine = ++generation.current;
    inFlight.current = true;
    setLoading(true);
    loadRef
      .current(api)
      .finally(() => {
        if (mine === generation.current) inFlight.current = false;
      })
      .then(
        (data) => {
          if (mine !== generation.current) return;
          setState({ key, data, error: null });
          setLoading(false);
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          const failure =
            error instanceof ApiRequestError
              ? error
              : new ApiRequestError(
                  0,
                  'ClientError',
                  error instanceof Error ? error.message : String(error),
                );
          setState((old) => ({ key, data: old.key === key ? old.data : null, error: failure }));
          setLoading(false);
        },
      );
  }, [api, key]);

  useEffect(() => {
    run();
    if (refreshMs <= 0) return undefined;
    const timer = window.setInterval(() => {
      // A slow answer is waited for rather than abandoned for a newer call.
      if (document.visibilityState === 'visible' && !inFlight.current) run();
    }, refreshMs);
    return () => {
      window.clearInterval(timer);
      generation.current++;
      inFlight.current = false;
    };
  }, [run, refreshMs]);

  const current = state.key === key;
  return {
    data: current ? state.data : null,
    error: current ? state.error : null,
    loading,
    refresh: run,
  };
}
