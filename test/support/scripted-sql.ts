/**
 * TEST STAND-IN — a scripted SQL Server connection. It is not SQL Server and restores nothing: it
 * records every statement sent (text and bound parameters, in order) and answers each by the latest
 * rule whose pattern matches its text (rows, a SQL Server error with its numbers, or a function of
 * the statement). A statement no rule matches answers no rows. It lets the SQL Server target's T-SQL
 * be checked statement by statement; the tedious adapter itself needs a real SQL Server, which the
 * project's machines do not have.
 */
import type { DatabaseFile } from '../../src/backup/index.js';
import {
  SqlError,
  formatServerMessages,
  type SqlConnection,
  type SqlParams,
  type SqlRow,
  type SqlServerMessage,
} from '../../src/sql/index.js';

export interface SentStatement {
  readonly sql: string;
  readonly params: SqlParams;
}

export type ScriptedReply =
  readonly SqlRow[] | SqlError | ((sent: SentStatement) => readonly SqlRow[]);

interface Rule {
  readonly pattern: RegExp;
  readonly reply: ScriptedReply;
  /** How many more times it answers; Infinity for always. */
  remaining: number;
}

export class ScriptedSqlConnection implements SqlConnection {
  readonly description = 'a scripted SQL Server connection (test stand-in)';
  readonly #rules: Rule[] = [];
  /** Every statement sent, in order (shared with other connections when given a log). */
  readonly sent: SentStatement[];
  closed = false;

  constructor(sent: SentStatement[] = []) {
    this.sent = sent;
  }

  /** Answers statements matching `pattern` with `reply` (`times` times, or always). Later rules win. */
  on(pattern: RegExp, reply: ScriptedReply, times = Infinity): this {
    this.#rules.push({ pattern, reply, remaining: times });
    return this;
  }

  query<T extends SqlRow = SqlRow>(sql: string, params: SqlParams = {}): Promise<T[]> {
    if (this.closed)
      return Promise.reject(new SqlError('Closed', 'The scripted connection is closed.'));
    const sent = { sql, params: { ...params } };
    this.sent.push(sent);
    for (let i = this.#rules.length - 1; i >= 0; i--) {
      const rule = this.#rules[i];
      if (!rule || rule.remaining <= 0 || !rule.pattern.test(sql)) continue;
      rule.remaining -= 1;
      if (rule.reply instanceof SqlError) return Promise.reject(rule.reply);
      try {
        const rows = typeof rule.reply === 'function' ? rule.reply(sent) : rule.reply;
        return Promise.resolve([...rows] as T[]);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return Promise.resolve([]);
  }

  async execute(sql: string, params?: SqlParams): Promise<void> {
    await this.query(sql, params);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A statement refused by SQL Server with these messages (number, text), level 16, state 1. */
export function serverError(...messages: readonly (readonly [number, string])[]): SqlError {
  const list: SqlServerMessage[] = messages.map(([number, message]) => ({
    number,
    state: 1,
    class: 16,
    message,
  }));
  return new SqlError('RequestFailed', formatServerMessages(list), { messages: list });
}

/**
 * What an instance answers by default to restore a full backup with these files: no database of the
 * name, a header with no encryptor, the files in FILELISTONLY's columns, default data and log folders
 * (the log one without a trailing separator, as an instance may give it), no redo LSN yet. Rules
 * added later win.
 */
export function scriptInstance(
  connection: ScriptedSqlConnection,
  files: readonly DatabaseFile[],
): ScriptedSqlConnection {
  return connection
    .on(/^SELECT DB_ID/, [{ databaseId: null }])
    .on(/^RESTORE HEADERONLY/, [{ Position: 1, EncryptorThumbprint: null }])
    .on(
      /^RESTORE FILELISTONLY/,
      files.map((f) => ({
        LogicalName: f.LogicalName,
        PhysicalName: f.PhysicalName,
        Type: f.Type,
        FileGroupName: f.FileGroupName,
        FileId: f.FileId,
        Size: Number(f.Size),
        TDEThumbprint: null,
      })),
    )
    .on(/InstanceDefaultDataPath/, [
      {
        dataPath: 'D:\\SQLData\\',
        logPath: 'L:\\SQLLog',
        masterDataFile: 'C:\\MSSQL\\DATA\\master.mdf',
        masterLogFile: 'C:\\MSSQL\\DATA\\mastlog.ldf',
      },
    ])
    .on(/redo_start_lsn/, [{ redoStartLsn: null }]);
}
