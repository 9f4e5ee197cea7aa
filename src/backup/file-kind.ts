/**
 * What a database file of a backup is, for the code that decides where it may go: a data file, the
 * log, a FILESTREAM or memory-optimized container (`S`, a folder), a full-text catalog (`F`, a folder
 * too), or unknown — a file whose type neither the reader nor SQL Server's row named. Unknown is never
 * treated as data: SQL Server lists every file as `D`, `L`, `S` or `F`, the reader names `D` and `L`
 * from the catalog's codes 1 and 2, so a file the reader left unnamed is a container or a catalog.
 */
import type { DatabaseFile } from './types.js';

export type FileKind = 'data' | 'log' | 'container' | 'fulltext' | 'unknown';

export function fileKind(file: Pick<DatabaseFile, 'Type'>): FileKind {
  switch (file.Type) {
    case 'D':
      return 'data';
    case 'L':
      return 'log';
    case 'S':
      return 'container';
    case 'F':
      return 'fulltext';
    default:
      return 'unknown';
  }
}

/** How a file's type reads in a message: its letter, or the catalog's code when it has no letter. */
export function fileTypeText(file: Pick<DatabaseFile, 'Type' | 'UnknownTypeCode'>): string {
  if (file.Type !== null) return `type ${file.Type}`;
  return file.UnknownTypeCode === undefined
    ? 'a type not named'
    : `type code ${file.UnknownTypeCode}`;
}
