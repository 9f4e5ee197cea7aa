/** Records for the state store tests: valid defaults, overridable field by field. */
import { expect } from 'vitest';

import type {
  EventRecord,
  FileRecord,
  MigrationRecord,
  MigrationSessionRecord,
  NodeRecord,
  SealedSecret,
  ServiceRecord,
  StateErrorCode,
} from '../../../src/service/state/index.js';

type Unversioned<R> = Omit<R, 'version'>;

/** The store treats sealed secrets as opaque text; these need not be real ciphertext. */
export const sealed = (text: string): SealedSecret => `v1:${text}` as SealedSecret;

export function service(
  name = 'dms-east',
  over: Partial<ServiceRecord> = {},
): Unversioned<ServiceRecord> {
  return {
    name,
    createdAt: '2025-01-02T03:04:05.000Z',
    authKey1: sealed('key-one'),
    authKey2: sealed('key-two'),
    ...over,
  };
}

export function node(
  serviceName: string,
  nodeName: string,
  over: Partial<NodeRecord> = {},
): Unversioned<NodeRecord> {
  return {
    serviceName,
    nodeName,
    registeredAt: '2025-01-02T03:04:05.000Z',
    lastSeenAt: '2025-01-02T04:00:00.000Z',
    monitoring: { cpuPercent: 12.5, availableMemoryMb: 2048, version: '5.0.1', lastError: null },
    credentialHash: 'a'.repeat(64),
    ...over,
  };
}

export function migration(
  id: string,
  over: Partial<MigrationRecord> = {},
): Unversioned<MigrationRecord> {
  return {
    id,
    serviceName: 'dms-east',
    targetDbName: `Target-${id}`,
    kind: 'SqlMi',
    scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi1',
    sourceDatabaseName: 'Sales',
    migrationOperationId: `op-${id}`,
    migrationStatus: 'InProgress',
    createdAt: '2025-01-02T03:04:05.000Z',
    startedOn: '2025-01-02T03:05:00.000Z',
    endedOn: null,
    migrationFailureError: null,
    document: {
      backupFolder: '/backups/Sales',
      offline: { enabled: false },
      sourcePassword: sealed('sql-password'),
      lsns: ['36000000012300001', '36000000045600001'],
    },
    ...over,
  };
}

export function file(
  migrationId: string,
  fileName: string,
  over: Partial<FileRecord> = {},
): Unversioned<FileRecord> {
  return {
    migrationId,
    fileName,
    status: 'Arrived',
    document: { sizeBytes: 1_048_576, firstLsn: '36000000012300001', reasons: [] },
    ...over,
  };
}

export function event(
  migrationId: string,
  message: string,
  over: Partial<EventRecord> = {},
): Omit<EventRecord, 'sequence'> {
  return {
    migrationId,
    at: '2025-01-02T03:06:00.000Z',
    kind: 'FileArrived',
    message,
    data: { file: 'Sales_LOG_1.trn' },
    ...over,
  };
}

export function migrationSession(
  id: string,
  over: Partial<MigrationSessionRecord> = {},
): Unversioned<MigrationSessionRecord> {
  return {
    id,
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    status: 'Open',
    step: 'databases',
    document: {
      source: { dataSource: 'sql01,1433', authentication: 'SqlAuthentication', userName: 'dba' },
      databases: ['Sales', 'HR'],
    },
    ...over,
  };
}

/** Awaits a rejection and checks its `code` (StateError) or class. */
export async function expectCode(promise: Promise<unknown>, code: StateErrorCode): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({ code });
  return error as Error;
}
