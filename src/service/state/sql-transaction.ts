import { StateError } from './errors.js';
import {
  eventFromRow,
  fileTable,
  migrationSessionTable,
  migrationTable,
  nodeTable,
  serviceTable,
  type RecordTable,
} from './record-tables.js';
import type {
  EventRecord,
  FileRecord,
  MigrationRecord,
  MigrationSessionRecord,
  NodeRecord,
  ServiceRecord,
} from './records.js';
import type { SqlSession, SqlValue } from './sql-session.js';
import { StateConflictError, type MigrationFilter, type StateTransaction } from './state-store.js';
import { putVersioned, requireParent, type Parent } from './versioned-writes.js';

/**
 * `StateTransaction` over either database. Deletes cascade through foreign keys: a service's nodes,
 * a migration's files and events. Migrations are not owned by a service row (DMS scopes a database
 * migration to its target), so deleting a service leaves its migrations; the API decides whether
 * that is allowed.
 */
export class SqlStateTransaction implements StateTransaction {
  readonly #session: SqlSession;
  #ended = false;

  constructor(session: SqlSession) {
    // Every statement checks, so a call still running when the work settled (a sibling in a
    // rejected Promise.all) cannot write after the rollback, outside any transaction.
    this.#session = {
      dialect: session.dialect,
      all: (sql, params) => (this.#ended ? Promise.reject(ended()) : session.all(sql, params)),
      run: (sql, params) => (this.#ended ? Promise.reject(ended()) : session.run(sql, params)),
    };
  }

  /** Called when the work has settled, before the commit or rollback: later statements are refused. */
  end(): void {
    this.#ended = true;
  }

  async getService(name: string): Promise<ServiceRecord | null> {
    return this.#one(serviceTable, `SELECT * FROM services WHERE name = ?`, [name]);
  }

  async listServices(): Promise<ServiceRecord[]> {
    return this.#many(serviceTable, 'SELECT * FROM services ORDER BY name', []);
  }

  putService(record: Omit<ServiceRecord, 'version'>, expected: number): Promise<ServiceRecord> {
    return putVersioned(this.#sql(), serviceTable, record, expected);
  }

  async deleteService(name: string): Promise<boolean> {
    return (await this.#sql().run('DELETE FROM services WHERE name = ?', [name])) > 0;
  }

  async listNodes(serviceName: string): Promise<NodeRecord[]> {
    const sql = 'SELECT * FROM nodes WHERE service_name = ? ORDER BY node_name';
    return this.#many(nodeTable, sql, [serviceName]);
  }

  async putNode(record: Omit<NodeRecord, 'version'>, expected: number): Promise<NodeRecord> {
    const parent: Parent = { table: 'services', column: 'name', value: record.serviceName };
    return putVersioned(this.#sql(), nodeTable, record, expected, parent);
  }

  async deleteNode(serviceName: string, nodeName: string): Promise<boolean> {
    const sql = 'DELETE FROM nodes WHERE service_name = ? AND node_name = ?';
    return (await this.#sql().run(sql, [serviceName, nodeName])) > 0;
  }

  async getMigration(id: string): Promise<MigrationRecord | null> {
    return this.#one(migrationTable, 'SELECT * FROM migrations WHERE id = ?', [id]);
  }

  async findMigration(serviceName: string, targetDbName: string): Promise<MigrationRecord | null> {
    const sql = 'SELECT * FROM migrations WHERE service_name = ? AND target_db_name = ?';
    return this.#one(migrationTable, sql, [serviceName, targetDbName]);
  }

  /** `statuses: []` matches no migration (an empty "any of"), unlike an absent filter. */
  async listMigrations(filter: MigrationFilter = {}): Promise<MigrationRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.serviceName !== undefined) {
      where.push('service_name = ?');
      params.push(filter.serviceName);
    }
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      where.push(`migration_status IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
    const sql = `SELECT * FROM migrations${clause} ORDER BY created_at, id`;
    return this.#many(migrationTable, sql, params);
  }

  async putMigration(
    record: Omit<MigrationRecord, 'version'>,
    expected: number,
  ): Promise<MigrationRecord> {
    const other = await this.findMigration(record.serviceName, record.targetDbName);
    if (other !== null && other.id !== record.id) throw duplicateTarget(record, other.id);
    try {
      return await putVersioned(this.#sql(), migrationTable, record, expected);
    } catch (error) {
      // Lost a race for the target database: the unique index refused the update, or the insert
      // did nothing although no migration has this id.
      const lostInsert =
        expected === 0 && error instanceof StateConflictError && error.actualVersion === null;
      if (lostInsert || this.#session.dialect.violation(error) === 'unique') {
        throw duplicateTarget(record, null, error);
      }
      throw error;
    }
  }

  async deleteMigration(id: string): Promise<boolean> {
    return (await this.#sql().run('DELETE FROM migrations WHERE id = ?', [id])) > 0;
  }

  async listFiles(migrationId: string): Promise<FileRecord[]> {
    const sql = 'SELECT * FROM files WHERE migration_id = ? ORDER BY file_name';
    return this.#many(fileTable, sql, [migrationId]);
  }

  async putFile(record: Omit<FileRecord, 'version'>, expected: number): Promise<FileRecord> {
    const parent: Parent = { table: 'migrations', column: 'id', value: record.migrationId };
    return putVersioned(this.#sql(), fileTable, record, expected, parent);
  }

  async appendEvent(event: Omit<EventRecord, 'sequence'>): Promise<EventRecord> {
    const sql = this.#sql();
    // Locks the migration's row: appenders of one migration queue here, so MAX + 1 is theirs alone.
    const parent: Parent = { table: 'migrations', column: 'id', value: event.migrationId };
    await requireParent(sql, parent, 'an event', true);
    const rows = await sql.all(
      `INSERT INTO events (migration_id, sequence, at, kind, message, data)
       SELECT ?, COALESCE(MAX(sequence), 0) + 1, ?, ?, ?, ${sql.dialect.jsonParam}
       FROM events WHERE migration_id = ? RETURNING *`,
      [
        event.migrationId,
        event.at,
        event.kind,
        event.message,
        JSON.stringify(event.data),
        event.migrationId,
      ],
    );
    return eventFromRow(rows[0] ?? {});
  }

  async listEvents(migrationId: string, afterSequence = 0): Promise<EventRecord[]> {
    const sql = 'SELECT * FROM events WHERE migration_id = ? AND sequence > ? ORDER BY sequence';
    return (await this.#sql().all(sql, [migrationId, afterSequence])).map(eventFromRow);
  }

  async getMigrationSession(id: string): Promise<MigrationSessionRecord | null> {
    const sql = 'SELECT * FROM migration_sessions WHERE id = ?';
    return this.#one(migrationSessionTable, sql, [id]);
  }

  async listMigrationSessions(): Promise<MigrationSessionRecord[]> {
    const sql = 'SELECT * FROM migration_sessions ORDER BY updated_at DESC, id';
    return this.#many(migrationSessionTable, sql, []);
  }

  putMigrationSession(
    record: Omit<MigrationSessionRecord, 'version'>,
    expected: number,
  ): Promise<MigrationSessionRecord> {
    return putVersioned(this.#sql(), migrationSessionTable, record, expected);
  }

  async deleteMigrationSession(id: string): Promise<boolean> {
    return (await this.#sql().run('DELETE FROM migration_sessions WHERE id = ?', [id])) > 0;
  }

  #sql(): SqlSession {
    if (this.#ended) throw ended();
    return this.#session;
  }

  async #one<R extends { version: number }>(
    table: RecordTable<R>,
    sql: string,
    params: SqlValue[],
  ): Promise<R | null> {
    const row = (await this.#sql().all(sql, params))[0];
    return row === undefined ? null : table.fromRow(row);
  }

  async #many<R extends { version: number }>(
    table: RecordTable<R>,
    sql: string,
    params: SqlValue[],
  ): Promise<R[]> {
    return (await this.#sql().all(sql, params)).map((row) => table.fromRow(row));
  }
}

function ended(): StateError {
  return new StateError(
    'TransactionEnded',
    'this state transaction has already ended (its work returned or threw); do all the work inside the transaction() callback and await every call before it returns.',
  );
}

function duplicateTarget(
  record: Omit<MigrationRecord, 'version'>,
  otherId: string | null,
  cause?: unknown,
): StateError {
  const other = otherId === null ? 'another migration' : `migration ${otherId}`;
  return new StateError(
    'DuplicateTargetDatabase',
    `service ${record.serviceName} already has ${other} to target database ${record.targetDbName}; one migration at a time may target a database. Delete or finish ${other} first, or choose another target database name.`,
    { cause },
  );
}
