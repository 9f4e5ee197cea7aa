import type {
  EventRecord,
  FileRecord,
  FileStatus,
  MigrationRecord,
  MigrationSessionRecord,
  MigrationSessionStatus,
  MigrationStatus,
  NodeRecord,
  SealedSecret,
  ServiceRecord,
} from './records.js';
import { integerOf, objectOf, textOf, type SqlRow, type SqlValue } from './sql-session.js';

/**
 * How each versioned record maps onto its table: key columns, the indexed columns beside them, and a
 * JSON `document` column with the rest. Every table also has an integer `version` column.
 */
export interface RecordTable<R extends { readonly version: number }> {
  /** For messages: `Migration`, `File`, … */
  readonly entity: string;
  readonly table: string;
  readonly keyColumns: readonly string[];
  /** Indexed columns other than the key; the JSON `document` column comes after them. */
  readonly columns: readonly string[];
  key(record: Omit<R, 'version'>): SqlValue[];
  /** The key as an operator reads it: `Sales`, `svc/node-1`, … */
  describeKey(record: Omit<R, 'version'>): string;
  /** Values of `columns`, then the document as JSON text. */
  values(record: Omit<R, 'version'>): SqlValue[];
  fromRow(row: SqlRow): R;
}

const json = (value: unknown): string => JSON.stringify(value);

export const serviceTable: RecordTable<ServiceRecord> = {
  entity: 'Service',
  table: 'services',
  keyColumns: ['name'],
  columns: ['created_at'],
  key: (r) => [r.name],
  describeKey: (r) => r.name,
  values: (r) => [r.createdAt, json({ authKey1: r.authKey1, authKey2: r.authKey2 })],
  fromRow(row) {
    const document = objectOf(row, 'services', 'document');
    return {
      name: textOf(row, 'services', 'name'),
      createdAt: textOf(row, 'services', 'created_at'),
      authKey1: document['authKey1'] as SealedSecret,
      authKey2: document['authKey2'] as SealedSecret,
      version: integerOf(row, 'services', 'version'),
    };
  },
};

export const nodeTable: RecordTable<NodeRecord> = {
  entity: 'Node',
  table: 'nodes',
  keyColumns: ['service_name', 'node_name'],
  columns: [],
  key: (r) => [r.serviceName, r.nodeName],
  describeKey: (r) => `${r.serviceName}/${r.nodeName}`,
  values: (r) => [
    json({
      registeredAt: r.registeredAt,
      lastSeenAt: r.lastSeenAt,
      monitoring: r.monitoring,
      credentialHash: r.credentialHash,
    }),
  ],
  fromRow(row) {
    const document = objectOf(row, 'nodes', 'document');
    return {
      serviceName: textOf(row, 'nodes', 'service_name'),
      nodeName: textOf(row, 'nodes', 'node_name'),
      registeredAt: document['registeredAt'] as string,
      lastSeenAt: document['lastSeenAt'] as string,
      monitoring: document['monitoring'] as NodeRecord['monitoring'],
      credentialHash:
        typeof document['credentialHash'] === 'string' ? document['credentialHash'] : null,
      version: integerOf(row, 'nodes', 'version'),
    };
  },
};

export const migrationTable: RecordTable<MigrationRecord> = {
  entity: 'Migration',
  table: 'migrations',
  keyColumns: ['id'],
  columns: ['service_name', 'target_db_name', 'migration_status', 'created_at'],
  key: (r) => [r.id],
  describeKey: (r) => r.id,
  values: (r) => [
    r.serviceName,
    r.targetDbName,
    r.migrationStatus,
    r.createdAt,
    json({
      kind: r.kind,
      scope: r.scope,
      sourceDatabaseName: r.sourceDatabaseName,
      migrationOperationId: r.migrationOperationId,
      startedOn: r.startedOn,
      endedOn: r.endedOn,
      migrationFailureError: r.migrationFailureError,
      document: r.document,
    }),
  ],
  fromRow(row) {
    const rest = objectOf(row, 'migrations', 'document') as Omit<
      MigrationRecord,
      'id' | 'serviceName' | 'targetDbName' | 'migrationStatus' | 'createdAt' | 'version'
    >;
    return {
      id: textOf(row, 'migrations', 'id'),
      serviceName: textOf(row, 'migrations', 'service_name'),
      targetDbName: textOf(row, 'migrations', 'target_db_name'),
      kind: rest.kind,
      scope: rest.scope,
      sourceDatabaseName: rest.sourceDatabaseName,
      migrationOperationId: rest.migrationOperationId,
      migrationStatus: textOf(row, 'migrations', 'migration_status') as MigrationStatus,
      createdAt: textOf(row, 'migrations', 'created_at'),
      startedOn: rest.startedOn,
      endedOn: rest.endedOn,
      migrationFailureError: rest.migrationFailureError,
      document: rest.document,
      version: integerOf(row, 'migrations', 'version'),
    };
  },
};

export const fileTable: RecordTable<FileRecord> = {
  entity: 'File',
  table: 'files',
  keyColumns: ['migration_id', 'file_name'],
  columns: ['status'],
  key: (r) => [r.migrationId, r.fileName],
  describeKey: (r) => `${r.migrationId}/${r.fileName}`,
  values: (r) => [r.status, json(r.document)],
  fromRow: (row) => ({
    migrationId: textOf(row, 'files', 'migration_id'),
    fileName: textOf(row, 'files', 'file_name'),
    status: textOf(row, 'files', 'status') as FileStatus,
    document: objectOf(row, 'files', 'document'),
    version: integerOf(row, 'files', 'version'),
  }),
};

export const migrationSessionTable: RecordTable<MigrationSessionRecord> = {
  entity: 'Migration session',
  table: 'migration_sessions',
  keyColumns: ['id'],
  columns: ['status', 'updated_at'],
  key: (r) => [r.id],
  describeKey: (r) => r.id,
  values: (r) => [
    r.status,
    r.updatedAt,
    json({ createdAt: r.createdAt, step: r.step, document: r.document }),
  ],
  fromRow(row) {
    const rest = objectOf(row, 'migration_sessions', 'document');
    return {
      id: textOf(row, 'migration_sessions', 'id'),
      createdAt: rest['createdAt'] as string,
      updatedAt: textOf(row, 'migration_sessions', 'updated_at'),
      status: textOf(row, 'migration_sessions', 'status') as MigrationSessionStatus,
      step: rest['step'] as string,
      document: rest['document'] as Record<string, unknown>,
      version: integerOf(row, 'migration_sessions', 'version'),
    };
  },
};

/** Events are not versioned: they are appended once and never changed. */
export function eventFromRow(row: SqlRow): EventRecord {
  return {
    migrationId: textOf(row, 'events', 'migration_id'),
    sequence: integerOf(row, 'events', 'sequence'),
    at: textOf(row, 'events', 'at'),
    kind: textOf(row, 'events', 'kind'),
    message: textOf(row, 'events', 'message'),
    data: objectOf(row, 'events', 'data'),
  };
}
