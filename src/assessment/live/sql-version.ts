/**
 * The source instance's version, read from `SERVERPROPERTY('ProductVersion')` ("10.50.6000.34"), and
 * the gates the live queries use: a query that reads a column or view added in a later release runs
 * only on instances that have it.
 */

export interface SqlVersion {
  /** 10 = 2008 (10.0) and 2008 R2 (10.50), 11 = 2012, 12 = 2014, 13 = 2016, 14 = 2017, 15 = 2019, 16 = 2022. */
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  /** ProductVersion as the instance gave it. */
  readonly text: string;
}

/** The oldest release sqlmig assesses: SQL Server 2008 (10.0). */
export const oldestMajorVersion = 10;

/** Parses ProductVersion; null when it is not `major.minor.build[.revision]`. */
export function parseProductVersion(text: string): SqlVersion | null {
  const found = /^\s*(\d+)\.(\d+)\.(\d+)(?:\.\d+)?\s*$/.exec(text);
  if (!found) return null;
  return {
    major: Number(found[1]),
    minor: Number(found[2]),
    build: Number(found[3]),
    text: text.trim(),
  };
}

const releaseNames: Record<number, string> = {
  11: 'SQL Server 2012',
  12: 'SQL Server 2014',
  13: 'SQL Server 2016',
  14: 'SQL Server 2017',
  15: 'SQL Server 2019',
  16: 'SQL Server 2022',
  17: 'SQL Server 2025',
};

/** "SQL Server 2008 R2", "SQL Server 2019", or "SQL Server 18.0" for a release sqlmig does not know. */
export function releaseName(version: SqlVersion): string {
  if (version.major === 10) return version.minor >= 50 ? 'SQL Server 2008 R2' : 'SQL Server 2008';
  if (version.major < 10)
    return `SQL Server ${version.major === 9 ? '2005' : `${version.major}.${version.minor}`}`;
  return releaseNames[version.major] ?? `SQL Server ${version.major}.${version.minor}`;
}
