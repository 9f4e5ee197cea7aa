/**
 * The target's limits the live rules compare the source with, as data, each with where it is
 * published (learn.microsoft.com, "Resource limits for Azure SQL Managed Instance" and "DBCC TRACEON").
 */
import type { ServiceTier } from '../rules/rule.js';

const mib = 1024 * 1024;
const tib = 1024 * 1024 * mib;

/**
 * The largest reserved storage an instance of the tier can have on any hardware (the largest vCore
 * counts): a database or a set of databases larger than this cannot move to one instance of the tier
 * at all. General Purpose and Business Critical (memory optimized premium-series) 16 TB, Next-gen
 * General Purpose 32 TB.
 */
export const maxInstanceStorageBytes: Readonly<Record<ServiceTier, number>> = {
  GeneralPurpose: 16 * tib,
  BusinessCritical: 16 * tib,
  NextGenGeneralPurpose: 32 * tib,
};

/** User databases per instance on General Purpose and Business Critical (NumDbExceeds100). */
export const maxDatabasesPerInstance = 100;

/** The global trace flags a Managed Instance supports (DBCC TRACEON, "Remarks"). */
export const supportedTraceFlags: ReadonlySet<number> = new Set([
  460, 2301, 2389, 2390, 2453, 2467, 7471, 8207, 9389, 10316, 11024,
]);

/** Bytes in a 8 KiB page count (`size` columns of sys.master_files and sys.database_files). */
export function pagesToBytes(pages: number): number {
  return pages * 8192;
}

/** "1.5 TiB", "820 MiB": sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= tib) return `${(bytes / tib).toFixed(1)} TiB`;
  if (bytes >= 1024 * mib) return `${(bytes / (1024 * mib)).toFixed(1)} GiB`;
  return `${Math.round(bytes / mib)} MiB`;
}
