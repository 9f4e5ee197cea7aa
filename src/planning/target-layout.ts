/**
 * What Log Replay Service (Azure SQL Managed Instance) refuses or mishandles in a folder of backups,
 * checked before anything is uploaded. Each problem has a stable code, a severity and the files
 * concerned. The 30-day job limit is the engine's business, not a file rule.
 */
import type { PlannerFile } from './types.js';

export type LayoutCode =
  /** One database's backups sit in several folders; Log Replay Service reads one flat folder. */
  | 'NestedFolders'
  /** One folder holds backups of several databases (Log Replay Service then never completes). */
  | 'MultipleDatabasesInFolder'
  /** The folder path contains the word "backup" or "backups", which Log Replay Service rejects. */
  | 'BackupWordInPath'
  /** Log Replay Service reads only `.bak`, `.log` and `.diff` files. */
  | 'UnsupportedFileExtension'
  /** More than one backup set in one file. */
  | 'AppendedMedia'
  /** A full backup taken without CHECKSUM: restorable, but Log Replay Service asks for checksums. */
  | 'FullBackupMissingChecksum';

export interface LayoutProblem {
  readonly code: LayoutCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly files: readonly string[];
}

const extensionByType: Readonly<Record<number, string>> = { 1: '.bak', 5: '.diff', 2: '.log' };

/**
 * The name a file gets in the blob container: its own name when Log Replay Service reads that
 * extension, else the base name with the extension for its backup type (full `.bak`, differential
 * `.diff`, log `.log`).
 */
export function uploadName(path: string, backupType: number | null): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot).toLowerCase() : '';
  if (extension === '.bak' || extension === '.log' || extension === '.diff') return name;
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return `${stem}${(backupType !== null ? extensionByType[backupType] : undefined) ?? '.bak'}`;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function shown(folder: string): string {
  return folder === '' ? 'the folder given' : `${folder}/`;
}

/** Checks readable backup files (paths relative to the folder given, with `/`) against the rules. */
export function managedInstanceLayoutProblems(files: readonly PlannerFile[]): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const foldersByDatabase = new Map<string, Map<string, string[]>>();
  const databasesByFolder = new Map<string, Map<string, string[]>>();
  const renamed: string[] = [];
  const appended: string[] = [];
  const noChecksum: string[] = [];
  const backupWord: string[] = [];

  for (const entry of files) {
    if ('error' in entry) continue;
    const folder = folderOf(entry.path);
    const sets = entry.media.sets;
    for (const { header } of sets) {
      const name = header.DatabaseName;
      if (name === null) continue;
      push(foldersByDatabase, name, folder, entry.path);
      push(databasesByFolder, folder, name, entry.path);
      if (header.BackupType === 1 && header.HasBackupChecksums === 0) noChecksum.push(entry.path);
    }
    if (sets.length > 1) appended.push(entry.path);
    const first = sets[0]?.header.BackupType ?? null;
    const target = uploadName(entry.path, first);
    if (target !== entry.path.slice(entry.path.lastIndexOf('/') + 1))
      renamed.push(`${entry.path} → ${target}`);
    if (/backups?/i.test(folder)) backupWord.push(entry.path);
  }

  for (const [database, folders] of foldersByDatabase) {
    if (folders.size < 2) continue;
    const list = [...folders.keys()].map(shown).join(', ');
    problems.push({
      code: 'NestedFolders',
      severity: 'error',
      message: `Backups of database ${database} are spread over ${folders.size} folders (${list}); Log Replay Service reads one flat folder per database. The upload puts them all in one folder named for the target database.`,
      files: [...folders.values()].flat().sort(),
    });
  }
  for (const [folder, databases] of databasesByFolder) {
    if (databases.size < 2) continue;
    problems.push({
      code: 'MultipleDatabasesInFolder',
      severity: 'error',
      message: `${folder === '' ? 'The folder given' : `Folder ${folder}/`} holds backups of ${databases.size} databases (${[...databases.keys()].join(', ')}); Log Replay Service needs one folder per database, or its restore never completes. The upload separates them.`,
      files: [...new Set([...databases.values()].flat())].sort(),
    });
  }
  if (backupWord.length > 0) {
    problems.push({
      code: 'BackupWordInPath',
      severity: 'error',
      message:
        'The folder path contains "backup" or "backups", which Log Replay Service does not accept in a container path. The upload uses a folder named for the target database instead; rename the folder if you restore from it directly.',
      files: backupWord.sort(),
    });
  }
  if (renamed.length > 0) {
    problems.push({
      code: 'UnsupportedFileExtension',
      severity: 'error',
      message: `Log Replay Service reads only .bak, .log and .diff files; the upload names these files instead: ${renamed.join('; ')}.`,
      files: renamed.map((r) => r.slice(0, r.indexOf(' → '))).sort(),
    });
  }
  if (appended.length > 0) {
    problems.push({
      code: 'AppendedMedia',
      severity: 'error',
      message:
        'These files hold more than one backup set (appended with NOINIT); Log Replay Service restores files holding exactly one. Back up to a new file each time (WITH INIT or FORMAT).',
      files: appended.sort(),
    });
  }
  if (noChecksum.length > 0) {
    problems.push({
      code: 'FullBackupMissingChecksum',
      severity: 'warning',
      message:
        'These full backups were taken without CHECKSUM. Log Replay Service recommends WITH CHECKSUM so that damage is caught before the restore; take the next full with it.',
      files: [...new Set(noChecksum)].sort(),
    });
  }
  return problems;
}

function push(
  map: Map<string, Map<string, string[]>>,
  key: string,
  inner: string,
  file: string,
): void {
  let byInner = map.get(key);
  if (!byInner) map.set(key, (byInner = new Map<string, string[]>()));
  const list = byInner.get(inner) ?? [];
  if (!list.includes(file)) list.push(file);
  byInner.set(inner, list);
}
