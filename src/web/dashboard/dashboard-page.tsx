/**
 * The dashboard: a service's migrations counted by state (in progress, succeeded, failed, canceled),
 * and one page of them at a time, filtered by state and searched by name on the service — so a
 * service with thousands of migrations shows 50 rows, never thousands. The filter lives in the
 * address (`?state=failed&search=sales&page=2`): back, reload and bookmarks keep it. Refreshed every
 * 3 s.
 */
import { useEffect, useState } from 'react';

import type { MigrationResource, MigrationState } from '../../api-contract/index.js';
import { useResource } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { Link, navigate, pathOf, useLocation } from '../shell/router.js';
import { formatCount, formatTime } from './format.js';
import { StatusBadge } from './status-badge.js';

export const pageSize = 50;
const refreshMs = 3000;
const states: readonly { state: MigrationState | null; label: string }[] = [
  { state: 'active', label: 'In progress' },
  { state: 'succeeded', label: 'Succeeded' },
  { state: 'failed', label: 'Failed' },
  { state: 'canceled', label: 'Canceled' },
  { state: null, label: 'All' },
];

interface Filter {
  readonly service: string;
  readonly state: MigrationState | null;
  readonly search: string;
  readonly page: number;
}

function filterOf(search: string): Filter {
  const query = new URLSearchParams(search);
  const state = query.get('state');
  const page = Number(query.get('page') ?? '1');
  return {
    service: query.get('service') ?? 'default',
    state: states.some((s) => s.state === state) ? (state as MigrationState) : null,
    search: query.get('search') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function addressOf(filter: Filter): string {
  const query = new URLSearchParams();
  if (filter.service !== 'default') query.set('service', filter.service);
  if (filter.state) query.set('state', filter.state);
  if (filter.search) query.set('search', filter.search);
  if (filter.page > 1) query.set('page', String(filter.page));
  const text = query.toString();
  return text ? `/?${text}` : '/';
}

export function DashboardPage() {
  const location = useLocation();
  const filter = filterOf(location.search);
  // From the address as it is when called: a search that fires after a click keeps that click's
  // filter. A state or a page is a step back can return to; each search keystroke is not.
  const change = (next: Partial<Filter>, step = true) => {
    navigate(addressOf({ ...filterOf(window.location.search), page: 1, ...next }), {
      replace: !step,
    });
  };
  const services = useResource('services', (api) => api.listServices());
  const list = useResource(
    `migrations?${JSON.stringify(filter)}`,
    (api) =>
      api.listMigrations(filter.service, {
        ...(filter.state ? { state: filter.state } : {}),
        ...(filter.search ? { search: filter.search } : {}),
        top: pageSize,
        skip: (filter.page - 1) * pageSize,
      }),
    refreshMs,
  );
  // The search box answers each key at once; the service is asked once typing pauses.
  const [typed, setTyped] = useState(filter.search);
  const [shown, setShown] = useState(filter.search);
  if (shown !== filter.search) {
    // The address changed by other means (back, a link): the box follows it.
    setShown(filter.search);
    setTyped(filter.search);
  }
  useEffect(() => {
    if (typed.trim() === filter.search) return undefined;
    const timer = window.setTimeout(() => {
      change({ search: typed.trim() }, false);
    }, 250);
    return () => {
      window.clearTimeout(timer);
    };
    // Only typing starts the wait; the address is read when it ends.
  }, [typed]);

  const summary = list.data?.summary;
  const count = list.data?.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const first = count === 0 ? 0 : (filter.page - 1) * pageSize + 1;
  const last = Math.min(count, filter.page * pageSize);

  return (
    <section aria-labelledby="dashboard-title">
      <div className="page-head">
        <h1 id="dashboard-title">Migrations</h1>
        {services.data && services.data.value.length > 1 ? (
          <label className="inline-field">
            Service{' '}
            <select
              value={filter.service}
              onChange={(e) => {
                change({ service: e.target.value, state: null, search: '' });
              }}
            >
              {services.data.value.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <Link to="/new" className="button primary">
          New migration
        </Link>
      </div>

      <div className="summary" role="group" aria-label="Migrations by state">
        {states.map(({ state, label }) => {
          const value = summary ? (state ? summary[state] : summary.total) : null;
          return (
            <button
              key={label}
              type="button"
              className={`summary-card summary-${state ?? 'all'}`}
              aria-pressed={filter.state === state}
              onClick={() => {
                change({ state });
              }}
            >
              <span className="summary-count" data-testid={`count-${state ?? 'all'}`}>
                {value === null ? '…' : formatCount(value)}
              </span>
              <span className="summary-label">{label}</span>
            </button>
          );
        })}
      </div>

      <div className="filter-bar">
        <label htmlFor="search">Search</label>
        <input
          id="search"
          type="search"
          placeholder="Target or source database name"
          value={typed}
          onChange={(e) => {
            setTyped(e.target.value);
          }}
        />
        <span className="muted" aria-live="polite">
          {list.data
            ? count === 0
              ? 'No migration matches.'
              : `Showing ${formatCount(first)}–${formatCount(last)} of ${formatCount(count)}`
            : 'Loading…'}
        </span>
      </div>

      {list.error ? <ErrorMessage error={list.error} title="The list could not be loaded" /> : null}

      <table className="migrations">
        <thead>
          <tr>
            <th scope="col">Target database</th>
            <th scope="col">Source database</th>
            <th scope="col">Status</th>
            <th scope="col">Mode</th>
            <th scope="col">Target</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.value.map((m) => (
            <MigrationRow key={m.id} migration={m} service={filter.service} />
          ))}
        </tbody>
      </table>

      {pages > 1 ? (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            disabled={filter.page <= 1}
            onClick={() => {
              change({ page: filter.page - 1 });
            }}
          >
            Previous
          </button>
          <span>
            Page {filter.page} of {pages}
          </span>
          <button
            type="button"
            disabled={filter.page >= pages}
            onClick={() => {
              change({ page: filter.page + 1 });
            }}
          >
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}

function MigrationRow({ migration, service }: { migration: MigrationResource; service: string }) {
  const p = migration.properties;
  const offline = (p.configuration['offlineConfiguration'] as { offline?: boolean } | undefined)
    ?.offline;
  return (
    <tr>
      <td>
        <Link to={pathOf('migrations', service, migration.name)}>{migration.name}</Link>
      </td>
      <td>{p.sourceDatabaseName}</td>
      <td>
        <StatusBadge status={p.migrationStatus} />
        {p.migrationFailureError ? (
          <div className="cell-note" title={p.migrationFailureError.message}>
            {p.migrationFailureError.code}
          </div>
        ) : null}
      </td>
      <td>{offline ? 'Offline' : 'Online'}</td>
      <td>{p.kind}</td>
      <td>{formatTime(p.startedOn)}</td>
      <td>{formatTime(p.endedOn)}</td>
    </tr>
  );
}
