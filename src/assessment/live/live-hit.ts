/**
 * What the live collectors produce and share: a rule's hit on a database or on the instance, the
 * runner that sends a query (skipping one the version lacks, turning a refused one into a report
 * error), and the readers of column values as tedious returns them.
 */
import { isSqlError, type SqlConnection, type SqlParams, type SqlRow } from '../../sql/index.js';
import type { ImpactedObject } from '../report/report.js';
import { runsOn, statementFor, type LiveQuery } from './queries.js';
import type { SqlVersion } from './sql-version.js';

export interface LiveHit {
  readonly ruleId: string;
  /** The database concerned; null for an instance fact that belongs to no database. */
  readonly database: string | null;
  readonly object: ImpactedObject;
}

export interface LiveError {
  readonly file: string;
  readonly code: string;
  readonly message: string;
}

/** Sends the collectors' queries on one connection. */
export class QueryRunner {
  readonly #connection: SqlConnection;
  readonly #version: SqlVersion;
  readonly #errors: LiveError[];

  constructor(connection: SqlConnection, version: SqlVersion, errors: LiveError[]) {
    this.#connection = connection;
    this.#version = version;
    this.#errors = errors;
  }

  /**
   * The query's rows; [] when the instance is older than the query (nothing of that kind can exist
   * there); null when the server refused it (recorded as a report error, the assessment goes on).
   */
  async rows<T extends SqlRow>(
    q: LiveQuery,
    database?: string,
    params?: SqlParams,
  ): Promise<T[] | null> {
    if (!runsOn(q, this.#version)) return [];
    try {
      return await this.#connection.query<T>(statementFor(q, database), params);
    } catch (error) {
      if (!isSqlError(error) || error.code !== 'RequestFailed') throw error;
      this.#errors.push({
        file: database ?? q.reads,
        code: 'QueryFailed',
        message: `Reading ${q.reads}${database !== undefined ? ` in ${database}` : ''} failed, so its rules (${q.rules.join(', ')}) were not checked there: ${error.message}`,
      });
      return null;
    }
  }
}

/** A catalog fact as an impacted object: where it was read, the object, what was seen. */
export function fact(
  source: string,
  objectType: string | null,
  objectName: string | null,
  detail: string,
): ImpactedObject {
  return { file: source, line: 0, column: 0, objectType, objectName, detail };
}

export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return '';
}

/** int, bigint (tedious returns it as a string), bit and numeric strings as a number; NaN otherwise. */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** bit (boolean) or int 1 as true. */
export function flag(value: unknown): boolean {
  return value === true || num(value) === 1;
}
