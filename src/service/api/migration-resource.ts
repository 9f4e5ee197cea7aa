/**
 * A database migration as the API shows it: DMS's resource shape, its configuration without secrets,
 * and (on request) `migrationStatusDetails`.
 */
import type { z } from '@hono/zod-openapi';

import type { MigrationStatusDetails } from '../engine/index.js';
import type { MigrationRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import type {
  MigrationResource,
  MigrationStatusDetails as DetailsSchema,
} from '../../api-contract/index.js';

/** Where secrets sit in a migration's configuration (DMS property paths). */
export const secretPaths: readonly (readonly string[])[] = [
  ['sourceSqlConnection', 'password'],
  ['backupConfiguration', 'sourceLocation', 'fileShare', 'password'],
  ['backupConfiguration', 'sourceLocation', 'azureBlob', 'accountKey'],
  ['backupConfiguration', 'targetLocation', 'accountKey'],
];

type Json = Record<string, unknown>;

/** A deep copy of `value` with every secret replaced by `replace(secret)` (or removed when undefined). */
export function mapSecrets(value: Json, replace: (secret: string) => string | undefined): Json {
  const copy = structuredClone(value);
  for (const path of secretPaths) {
    let node: unknown = copy;
    for (const key of path.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
    const last = path.at(-1) ?? '';
    if (!isObject(node) || typeof node[last] !== 'string') continue;
    const replaced = replace(node[last]);
    if (replaced === undefined) Reflect.deleteProperty(node, last);
    else node[last] = replaced;
  }
  return copy;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

export function migrationResource(
  record: MigrationRecord,
  _ctx: ApiContext,
  details?: MigrationStatusDetails,
): z.infer<typeof MigrationResource> {
  const configuration = mapSecrets(
    (record.document.configuration as Json | undefined) ?? {},
    () => undefined,
  );
  return {
    name: record.targetDbName,
    id: `/sqlMigrationServices/${record.serviceName}/databaseMigrations/${record.targetDbName}`,
    type: 'databaseMigrations' as const,
    properties: {
      kind: record.kind,
      scope: record.scope,
      provisioningState: 'Succeeded' as const,
      migrationStatus: record.migrationStatus,
      startedOn: record.startedOn,
      endedOn: record.endedOn,
      sourceDatabaseName: record.sourceDatabaseName,
      migrationOperationId: record.migrationOperationId,
      migrationFailureError: record.migrationFailureError,
      configuration,
      // The engine's types are deeply readonly; the schema's are not: the shapes are the same.
      ...(details ? { migrationStatusDetails: details as z.infer<typeof DetailsSchema> } : {}),
    },
  };
}
