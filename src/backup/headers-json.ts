/**
 * The JSON shape of `sqlmig backup headers --json` (and of the API wherever it shows backup sets):
 * one object per backup set, keyed exactly as SQL Server names the `RESTORE HEADERONLY` columns, plus
 * the file, its media family and its `RESTORE FILELISTONLY` rows. LSNs and byte sizes are decimal
 * strings (they exceed JavaScript's safe integers); dates are server-local ISO 8601 without offset.
 */
import type { BackupErrorCode } from './errors.js';
import type { BackupMedia, BackupSetHeader, DatabaseFile } from './types.js';

/** The `RESTORE HEADERONLY` columns with `bigint` values (LSNs, sizes) as decimal strings. */
export type HeaderFieldsJson = {
  readonly [K in keyof BackupSetHeader]: BackupSetHeader[K] extends bigint | null
    ? string | null
    : BackupSetHeader[K];
};

export type HeaderJson = { readonly File: string } & HeaderFieldsJson & {
    readonly FamilyCount: number | null;
    readonly FamilySequenceNumber: number | null;
    readonly MediaSetId: string | null;
    readonly Complete: boolean;
    readonly Files: readonly FileJson[];
  };

export interface FileJson {
  readonly FileId: number;
  readonly Type: DatabaseFile['Type'];
  readonly FileGroupName: string | null;
  readonly FileGroupId: number;
  readonly LogicalName: string;
  readonly PhysicalName: string;
  readonly Size: string;
  readonly UniqueId: string | null;
}

export interface HeaderErrorJson {
  readonly File: string;
  readonly Error: { readonly code: BackupErrorCode; readonly message: string };
}

function jsonHeader(header: BackupSetHeader): HeaderFieldsJson {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(header)) {
    out[key] = typeof value === 'bigint' ? value.toString(10) : value;
  }
  return out as HeaderFieldsJson;
}

/** One JSON object per backup set of a file. */
export function headerRows(file: string, media: BackupMedia): HeaderJson[] {
  return media.sets.map((set): HeaderJson => ({
    File: file,
    ...jsonHeader(set.header),
    FamilyCount: media.label.FamilyCount,
    FamilySequenceNumber: media.label.FamilySequenceNumber,
    MediaSetId: media.label.MediaSetId,
    Complete: set.complete,
    Files: set.files.map((f) => ({
      FileId: f.FileId,
      Type: f.Type,
      FileGroupName: f.FileGroupName,
      FileGroupId: f.FileGroupId,
      LogicalName: f.LogicalName,
      PhysicalName: f.PhysicalName,
      Size: f.Size.toString(10),
      UniqueId: f.UniqueId,
    })),
  }));
}
