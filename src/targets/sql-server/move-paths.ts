/**
 * Where each file of the restored database goes: the instance's default data and log folders
 * (`SERVERPROPERTY('InstanceDefaultDataPath')`/`'InstanceDefaultLogPath'`, SQL Server 2012+; before
 * that, the folder of master's own files), named `<database>_<logical name>` with `.mdf` for the
 * primary data file, `.ndf` for other data files and `.ldf` for logs; FILESTREAM and memory-optimized
 * containers (`S`) and full-text catalogs (`F`) are folders, without extension, in the data folder. So
 * is a file whose type is unknown (the backup reader's `Type` null): SQL Server lists every file as
 * `D`, `L`, `S` or `F` and the reader names `D` and `L`, so it is a container or a catalog — never a
 * data file, which would get `.ndf` and make a container's folder look like a file. Characters Windows
 * refuses in a file name become `_`. The separator is the one the instance's own paths use (`\`
 * on Windows, `/` on Linux).
 */
import { fileKind, type DatabaseFile } from '../../backup/index.js';

export interface InstancePaths {
  readonly dataPath: string | null;
  readonly logPath: string | null;
  readonly masterDataFile: string | null;
  readonly masterLogFile: string | null;
}

export interface Move {
  readonly logicalName: string;
  readonly physicalName: string;
}

export function moves(
  databaseName: string,
  files: readonly DatabaseFile[],
  paths: InstancePaths,
): Move[] {
  const data = folder(paths.dataPath) ?? parent(paths.masterDataFile);
  const log = folder(paths.logPath) ?? parent(paths.masterLogFile) ?? data;
  if (data === null || log === null)
    throw new Error(
      'the instance reports neither InstanceDefaultDataPath nor the location of master: cannot choose where the files go',
    );
  return files.map((file) => {
    const stem = `${databaseName}_${file.LogicalName}`.replace(/[\\/:*?"<>|]/g, '_');
    const kind = fileKind(file);
    const extension =
      kind === 'log' ? '.ldf' : kind !== 'data' ? '' : file.FileId === 1 ? '.mdf' : '.ndf';
    const target = kind === 'log' ? log : data;
    return { logicalName: file.LogicalName, physicalName: `${target.path}${stem}${extension}` };
  });
}

/** A folder with its trailing separator. */
function folder(path: string | null): { path: string } | null {
  if (path === null || path.trim() === '') return null;
  const separator = separatorOf(path);
  return { path: path.endsWith(separator) ? path : `${path}${separator}` };
}

function parent(file: string | null): { path: string } | null {
  if (file === null) return null;
  const cut = Math.max(file.lastIndexOf('\\'), file.lastIndexOf('/'));
  return cut < 0 ? null : { path: file.slice(0, cut + 1) };
}

function separatorOf(path: string): string {
  return path.includes('\\') || !path.includes('/') ? '\\' : '/';
}
