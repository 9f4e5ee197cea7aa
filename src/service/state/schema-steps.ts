import type { SqlDialect } from './sql-session.js';

/**
 * The state database's schema, as an ordered list of named steps. A step, once released, never
 * changes: a schema change is a new step at the end. One DDL text serves both databases; the dialect
 * supplies the JSON column type (JSONB in PostgreSQL) and the table options (STRICT in SQLite).
 *
 * Times are ISO-8601 text as the records carry them, so both databases return exactly what was
 * written and sort them the same way.
 */
export interface SchemaStep {
  /** `NNNN-what-it-does`; recorded in the ledger. */
  readonly name: string;
  statements(dialect: SqlDialect): string[];
}

export const SCHEMA_STEPS: readonly SchemaStep[] = [
  {
    name: '0001-services-and-nodes',
    statements: (d) => [
      `CREATE TABLE services (
         name TEXT NOT NULL PRIMARY KEY,
         created_at TEXT NOT NULL,
         version INTEGER NOT NULL,
         document ${d.jsonType} NOT NULL
       )${d.tableOptions}`,
      `CREATE TABLE nodes (
         service_name TEXT NOT NULL REFERENCES services (name) ON DELETE CASCADE,
         node_name TEXT NOT NULL,
         version INTEGER NOT NULL,
         document ${d.jsonType} NOT NULL,
         PRIMARY KEY (service_name, node_name)
       )${d.tableOptions}`,
    ],
  },
  {
    name: '0002-migrations-files-events',
    statements: (d) => [
      `CREATE TABLE migrations (
         id TEXT NOT NULL PRIMARY KEY,
         service_name TEXT NOT NULL,
         target_db_name TEXT NOT NULL,
         migration_status TEXT NOT NULL,
         created_at TEXT NOT NULL,
         version INTEGER NOT NULL,
         document ${d.jsonType} NOT NULL,
         CONSTRAINT migrations_target_db_unique UNIQUE (service_name, target_db_name)
       )${d.tableOptions}`,
      'CREATE INDEX migrations_status ON migrations (migration_status)',
      'CREATE INDEX migrations_created_at ON migrations (created_at)',
      `CREATE TABLE files (
         migration_id TEXT NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
         file_name TEXT NOT NULL,
         status TEXT NOT NULL,
         version INTEGER NOT NULL,
         document ${d.jsonType} NOT NULL,
         PRIMARY KEY (migration_id, file_name)
       )${d.tableOptions}`,
      `CREATE TABLE events (
         migration_id TEXT NOT NULL REFERENCES migrations (id) ON DELETE CASCADE,
         sequence INTEGER NOT NULL,
         at TEXT NOT NULL,
         kind TEXT NOT NULL,
         message TEXT NOT NULL,
         data ${d.jsonType} NOT NULL,
         PRIMARY KEY (migration_id, sequence)
       )${d.tableOptions}`,
    ],
  },
  {
    name: '0003-migration-sessions',
    statements: (d) => [
      `CREATE TABLE migration_sessions (
         id TEXT NOT NULL PRIMARY KEY,
         status TEXT NOT NULL,
         updated_at TEXT NOT NULL,
         version INTEGER NOT NULL,
         document ${d.jsonType} NOT NULL
       )${d.tableOptions}`,
      'CREATE INDEX migration_sessions_updated_at ON migration_sessions (updated_at)',
    ],
  },
];
