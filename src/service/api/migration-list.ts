/**
 * A page of a service's migrations for the list routes: filtered by state and a name search, counted
 * by state, then cut by `top`/`skip`. The filtering runs over the records in memory (a service holds
 * thousands of migrations, not millions); without a query every migration is listed, as before.
 */
import type { z } from '@hono/zod-openapi';

import type {
  MigrationList,
  MigrationListQuery,
  MigrationState,
} from '../../api-contract/index.js';
import type { MigrationRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { migrationResource } from './migration-resource.js';

type Query = MigrationListQuery;
type State = MigrationState;

export function stateOf(record: MigrationRecord): State {
  switch (record.migrationStatus) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Canceled':
      return 'canceled';
    default:
      return 'active';
  }
}

export function migrationList(
  records: readonly MigrationRecord[],
  query: Query,
  ctx: ApiContext,
): z.infer<typeof MigrationList> {
  const summary = { total: records.length, active: 0, succeeded: 0, failed: 0, canceled: 0 };
  const needle = query.search?.trim().toLowerCase() ?? '';
  const matches: MigrationRecord[] = [];
  for (const record of records) {
    const state = stateOf(record);
    summary[state] += 1;
    if (query.state !== undefined && state !== query.state) continue;
    if (
      needle &&
      !record.targetDbName.toLowerCase().includes(needle) &&
      !record.sourceDatabaseName.toLowerCase().includes(needle)
    )
      continue;
    matches.push(record);
  }
  const start = query.skip ?? 0;
  const page = matches.slice(start, query.top === undefined ? undefined : start + query.top);
  return {
    value: page.map((m) => migrationResource(m, ctx)),
    count: matches.length,
    summary,
  };
}
