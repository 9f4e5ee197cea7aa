/**
 * SQL Server versions as the collector needs them: `SERVERPROPERTY('ProductVersion')` read into its
 * major and minor numbers, the release's name for messages, and whether the collector's queries run on
 * it (SQL Server 2008, major 10, and later; a version newer than 2022 gets 2022's queries).
 */
import { CollectError } from './collect-error.js';

export interface SqlServerVersion {
  /** As the server said it: `10.50.6592.0`. */
  readonly productVersion: string;
  /** 10 (2008 and 2008 R2), 11 (2012), 12 (2014), 13 (2016), 14 (2017), 15 (2019), 16 (2022). */
  readonly major: number;
  readonly minor: number;
}

/** The oldest major version the collector's queries are written for. */
export const oldestSupportedMajor = 10;

const releaseNames: Readonly<Record<number, string>> = {
  9: 'SQL Server 2005',
  10: 'SQL Server 2008',
  11: 'SQL Server 2012',
  12: 'SQL Server 2014',
  13: 'SQL Server 2016',
  14: 'SQL Server 2017',
  15: 'SQL Server 2019',
  16: 'SQL Server 2022',
};

/** `SQL Server 2008 R2 (10.50.6592.0)`, or the bare version for one the table does not name. */
export function releaseName(version: SqlServerVersion): string {
  const name =
    version.major === 10 && version.minor >= 50
      ? 'SQL Server 2008 R2'
      : releaseNames[version.major];
  return name ? `${name} (${version.productVersion})` : `SQL Server ${version.productVersion}`;
}

/** Reads `ProductVersion`; refuses text that is not one and versions older than 2008. */
export function parseSqlServerVersion(productVersion: unknown, where: string): SqlServerVersion {
  const text = typeof productVersion === 'string' ? productVersion.trim() : '';
  const found = /^(\d+)\.(\d+)\.\d+(?:\.\d+)?$/.exec(text);
  if (!found)
    throw new CollectError(
      'UnsupportedVersion',
      `${where} gave "${String(productVersion)}" as its ProductVersion, which is not a SQL Server version number; sqlmig cannot tell which DMV columns it has.`,
    );
  const version = { productVersion: text, major: Number(found[1]), minor: Number(found[2]) };
  if (version.major < oldestSupportedMajor)
    throw new CollectError(
      'UnsupportedVersion',
      `${where} runs ${releaseName(version)}; performance collection needs SQL Server 2008 or later (the DMVs it reads, such as sys.dm_os_process_memory, appeared in 2008).`,
    );
  return version;
}
