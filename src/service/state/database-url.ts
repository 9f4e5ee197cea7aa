import { StateError } from './errors.js';

export interface PostgresLocation {
  /** The URL as given, for `pg`. */
  readonly connectionString: string;
  /** `postgres://user@host:port/database`: never the password or the query string. */
  readonly description: string;
}

const EXAMPLE = 'postgres://user:password@host:5432/database';

/**
 * Validates `SQLMIG_DATABASE_URL`. Messages never repeat the URL, which may hold a password; the
 * cause of a parse failure is left out for the same reason (Node's error carries the input).
 */
export function parseDatabaseUrl(url: string): PostgresLocation {
  if (url.trim() === '') {
    throw invalid(
      `SQLMIG_DATABASE_URL is set but empty. Unset it to keep the state in SQLite in the data directory, or set it to ${EXAMPLE}.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(
      `SQLMIG_DATABASE_URL is not a valid URL; expected ${EXAMPLE} (percent-encode special characters in the user name and password).`,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalid(
      `SQLMIG_DATABASE_URL must be a PostgreSQL URL (postgres:// or postgresql://), but it starts with ${parsed.protocol}//; expected ${EXAMPLE}.`,
    );
  }
  const user = decode(parsed.username);
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  const database = decode(parsed.pathname.slice(1)) || user || 'postgres';
  const description = `${parsed.protocol}//${user === '' ? '' : `${user}@`}${host}${port}/${database}`;
  return { connectionString: url, description };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function invalid(message: string): StateError {
  return new StateError('InvalidDatabaseUrl', message);
}
