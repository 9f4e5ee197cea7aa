import type {
  EventRecord,
  FileRecord,
  MigrationRecord,
  MigrationSessionRecord,
  MigrationStatus,
  NodeRecord,
  ServiceRecord,
} from './records.js';

/**
 * Where the migration service keeps its state: SQLite by default (one process, one file), PostgreSQL
 * when `SQLMIG_DATABASE_URL` names one (several service replicas). Both pass one conformance suite.
 *
 * Every read and write happens in a transaction. Writes of versioned records are optimistic: `put*`
 * with `expectedVersion` fails with `StateConflictError` when the stored version differs, so two
 * replicas (or a restarted process and a stale one) cannot both move the same migration.
 */
export interface StateStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the state is, for messages (no password). */
  readonly description: string;
  /** Applies pending schema migrations. Safe from two processes at once; refuses a newer schema. */
  migrate(): Promise<void>;
  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface MigrationFilter {
  readonly serviceName?: string;
  readonly statuses?: readonly MigrationStatus[];
}

export interface StateTransaction {
  getService(name: string): Promise<ServiceRecord | null>;
  listServices(): Promise<ServiceRecord[]>;
  /** Inserts (`expectedVersion` 0) or updates; returns the record with its new version. */
  putService(
    record: Omit<ServiceRecord, 'version'>,
    expectedVersion: number,
  ): Promise<ServiceRecord>;
  deleteService(name: string): Promise<boolean>;

  listNodes(serviceName: string): Promise<NodeRecord[]>;
  putNode(record: Omit<NodeRecord, 'version'>, expectedVersion: number): Promise<NodeRecord>;
  deleteNode(serviceName: string, nodeName: string): Promise<boolean>;

  getMigration(id: string): Promise<MigrationRecord | null>;
  findMigration(serviceName: string, targetDbName: string): Promise<MigrationRecord | null>;
  listMigrations(filter?: MigrationFilter): Promise<MigrationRecord[]>;
  putMigration(
    record: Omit<MigrationRecord, 'version'>,
    expectedVersion: number,
  ): Promise<MigrationRecord>;
  deleteMigration(id: string): Promise<boolean>;

  listFiles(migrationId: string): Promise<FileRecord[]>;
  putFile(record: Omit<FileRecord, 'version'>, expectedVersion: number): Promise<FileRecord>;

  /** Appends an event with the next sequence number of its migration. */
  appendEvent(event: Omit<EventRecord, 'sequence'>): Promise<EventRecord>;
  listEvents(migrationId: string, afterSequence?: number): Promise<EventRecord[]>;

  getMigrationSession(id: string): Promise<MigrationSessionRecord | null>;
  /** Most recently saved first. */
  listMigrationSessions(): Promise<MigrationSessionRecord[]>;
  putMigrationSession(
    record: Omit<MigrationSessionRecord, 'version'>,
    expectedVersion: number,
  ): Promise<MigrationSessionRecord>;
  deleteMigrationSession(id: string): Promise<boolean>;
}

export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
  constructor(
    readonly entity: string,
    readonly key: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | null,
  ) {
    super(
      `${entity} ${key} was changed by someone else (expected version ${expectedVersion}, found ${actualVersion ?? 'none'}); read it again and retry.`,
    );
  }
}
