/**
 * Plans restores from backup files as they are found, one file at a time. Files are grouped by
 * database; sets by BackupSetGUID, with their stripes (media families) gathered across files. A set
 * enters its database's chain once every stripe is present; everything else is reported with a
 * reason. Adding a file touches only its database, and a log only extends the chain (see
 * `database-chain.ts`): the migration engine feeds files in as they arrive.
 */
import type { BackupErrorCode, Lsn } from '../backup/index.js';

import { DatabaseChain, type UsableSet } from './database-chain.js';
import type { Ignored, IgnoreReason } from './reasons.js';
import type {
  DatabasePlan,
  PlannerFile,
  PlannerHeader,
  PlannerOptions,
  StepType,
} from './types.js';

interface StripeRef {
  readonly file: string;
  readonly position: number;
}

interface SetAssembly {
  readonly guid: string;
  readonly header: PlannerHeader;
  readonly type: StepType;
  readonly familyCount: number;
  readonly stripes: Map<number, StripeRef>;
  /** Further copies of a family already present, in arrival order. */
  readonly copies: { readonly family: number; readonly ref: StripeRef }[];
  inChain: boolean;
}

interface DatabaseState {
  readonly chain: DatabaseChain;
  readonly assemblies: Map<string, SetAssembly>;
  /** Sets left out before they reach the chain (incomplete, appended, unsupported), by file. */
  readonly setIgnores: Map<string, Ignored[]>;
}

const stepTypes: Readonly<Partial<Record<number, StepType>>> = {
  1: 'Full',
  5: 'Differential',
  2: 'Log',
};

export class RestorePlanner {
  readonly #allowAppended: boolean;
  readonly #databases = new Map<string, DatabaseState>();
  readonly #invalid = new Map<string, Ignored>();
  /** Which databases each file touched, so that it can be removed (re-read) later. */
  readonly #fileDatabases = new Map<string, Set<string>>();

  constructor(options: PlannerOptions = {}) {
    this.#allowAppended = options.allowAppendedSets ?? true;
  }

  /** Adds one file as the reader saw it. A path already added is replaced (a file re-read). */
  addFile(entry: PlannerFile): void {
    if (this.#fileDatabases.has(entry.path) || this.#invalid.has(entry.path))
      this.removeFile(entry.path);
    if ('error' in entry) {
      this.#invalid.set(entry.path, {
        file: entry.path,
        reason: reasonForReadError(entry.error.code),
        message: entry.error.message,
        backupSetGUID: null,
      });
      return;
    }
    const { label, sets } = entry.media;
    const touched = new Set<string>();
    this.#fileDatabases.set(entry.path, touched);
    const appended = sets.length > 1;
    for (const { header, complete } of sets) {
      const name = header.DatabaseName;
      if (name === null) {
        this.#invalid.set(entry.path, {
          file: entry.path,
          reason: complete ? 'CorruptBackupFile' : 'IncompleteBackupFile',
          message: complete
            ? 'The backup set names no database: its header could not be read.'
            : 'The file ends before its backup set header: it is still being written or was cut short.',
          backupSetGUID: header.BackupSetGUID,
        });
        continue;
      }
      touched.add(name);
      const db = this.#database(name);
      const ref: StripeRef = { file: entry.path, position: header.Position };
      const ignore = (reason: IgnoreReason, message: string): void => {
        const list = db.setIgnores.get(entry.path) ?? [];
        list.push({ file: entry.path, reason, message, backupSetGUID: header.BackupSetGUID });
        db.setIgnores.set(entry.path, list);
      };
      const type = header.BackupType === null ? undefined : stepTypes[header.BackupType];
      const guid = header.BackupSetGUID;
      if (!complete) {
        ignore(
          'IncompleteBackupFile',
          `Backup set ${header.Position} of this file is not complete: the file is still being written or was cut short. It will be planned once it is whole.`,
        );
      } else if (appended && !this.#allowAppended) {
        ignore(
          'MultipleBackupSetsInFile',
          `Backup set ${header.Position} of the ${sets.length} this file holds (appended media); Log Replay Service restores only files holding one. Back up to a new file each time (WITH INIT or FORMAT).`,
        );
      } else if (!type) {
        ignore(
          'UnsupportedBackupType',
          `A ${header.BackupType === null ? 'backup of a type sqlmig could not read' : `backup of type ${header.BackupType} (file, partial or file differential)`}: migrations restore full, differential and log backups only.`,
        );
      } else if (!guid || header.FirstLSN === null || header.LastLSN === null) {
        ignore(
          'CorruptBackupFile',
          'The backup set header lacks its GUID or LSNs: it cannot be placed in a chain.',
        );
      } else {
        this.#addStripe(
          db,
          guid,
          header,
          type,
          label.FamilyCount ?? 1,
          label.FamilySequenceNumber ?? 1,
          ref,
        );
      }
    }
  }

  /** Forgets a file (deleted, or about to be re-read). */
  removeFile(path: string): void {
    this.#invalid.delete(path);
    const names = this.#fileDatabases.get(path);
    this.#fileDatabases.delete(path);
    for (const name of names ?? []) {
      const db = this.#databases.get(name);
      if (!db) continue;
      db.setIgnores.delete(path);
      for (const assembly of db.assemblies.values()) {
        const copies = assembly.copies.filter((c) => c.ref.file !== path);
        assembly.copies.splice(0, assembly.copies.length, ...copies);
        for (const [family, ref] of assembly.stripes) {
          if (ref.file !== path) continue;
          const copy = assembly.copies.findIndex((c) => c.family === family);
          if (copy >= 0) {
            assembly.stripes.set(family, assembly.copies[copy]?.ref ?? ref);
            assembly.copies.splice(copy, 1);
          } else {
            assembly.stripes.delete(family);
          }
        }
        if (assembly.stripes.size === 0) db.assemblies.delete(assembly.guid);
        if (assembly.inChain) {
          // Its files changed: the chain takes the set again when it is whole.
          db.chain.remove(assembly.guid);
          assembly.inChain = false;
          this.#offerToChain(db, assembly);
        }
      }
    }
  }

  /**
   * Keeps a full backup as the base of its database's plan (the engine pins the full a target has
   * started restoring from); null unpins.
   */
  pinBase(databaseName: string, backupSetGUID: string | null): void {
    this.#database(databaseName).chain.pinBase(backupSetGUID);
  }

  databaseNames(): string[] {
    return [...this.#databases.keys()].sort((a, b) => a.localeCompare(b));
  }

  /** Files that are not backups, or could not be read at all. */
  invalidFiles(): Ignored[] {
    return [...this.#invalid.values()].sort(byFile);
  }

  /** Cheap: where the database stands, without building the whole plan. */
  lastRestorableLsn(databaseName: string): Lsn | null {
    return this.#databases.get(databaseName)?.chain.lastRestorableLsn() ?? null;
  }

  plan(databaseName: string): DatabasePlan {
    const db = this.#databases.get(databaseName);
    const chain = db?.chain ?? new DatabaseChain();
    const steps = chain.steps();
    const ignored: Ignored[] = [];
    for (const list of db?.setIgnores.values() ?? []) ignored.push(...list);
    for (const verdict of chain.verdicts()) {
      for (const ref of verdict.set.files) {
        ignored.push({
          file: ref.file,
          reason: verdict.reason,
          message: verdict.message,
          backupSetGUID: verdict.set.guid,
        });
      }
    }
    for (const assembly of db?.assemblies.values() ?? []) {
      for (const { ref } of assembly.copies) {
        const kept = [...assembly.stripes.values()].map((s) => s.file).join(', ');
        ignored.push({
          file: ref.file,
          reason: 'DuplicateBackupSet',
          message: `The same backup set (${assembly.guid}) and media family as ${kept}: one copy is enough.`,
          backupSetGUID: assembly.guid,
        });
      }
      if (assembly.stripes.size < assembly.familyCount) {
        const missing = [];
        for (let family = 1; family <= assembly.familyCount; family++)
          if (!assembly.stripes.has(family)) missing.push(family);
        for (const ref of assembly.stripes.values()) {
          ignored.push({
            file: ref.file,
            reason: 'MissingStripeInBackupSet',
            message: `Backup set ${assembly.guid} was striped over ${assembly.familyCount} files; media famil${missing.length === 1 ? 'y' : 'ies'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. Copy ${missing.length === 1 ? 'it' : 'them'} into the folder.`,
            backupSetGUID: assembly.guid,
          });
        }
      }
    }
    return {
      databaseName,
      status: steps.length > 0 ? 'Ready' : 'NoFullBackup',
      restorePlan: steps.map((set) => ({
        backupSetGUID: set.guid,
        backupType: set.type,
        firstLSN: set.firstLsn,
        lastLSN: set.lastLsn,
        files: set.files,
      })),
      lastRestorableLSN: chain.lastRestorableLsn(),
      waitingFor: chain.waitingFor(),
      ignored: ignored.sort(byFile),
    };
  }

  plans(): DatabasePlan[] {
    return this.databaseNames().map((name) => this.plan(name));
  }

  #database(name: string): DatabaseState {
    let db = this.#databases.get(name);
    if (!db) {
      db = { chain: new DatabaseChain(), assemblies: new Map(), setIgnores: new Map() };
      this.#databases.set(name, db);
    }
    return db;
  }

  #addStripe(
    db: DatabaseState,
    guid: string,
    header: PlannerHeader,
    type: StepType,
    familyCount: number,
    family: number,
    ref: StripeRef,
  ): void {
    let assembly = db.assemblies.get(guid);
    if (!assembly) {
      assembly = {
        guid,
        header,
        type,
        familyCount,
        stripes: new Map(),
        copies: [],
        inChain: false,
      };
      db.assemblies.set(guid, assembly);
    }
    if (assembly.stripes.has(family)) {
      assembly.copies.push({ family, ref });
      return;
    }
    assembly.stripes.set(family, ref);
    this.#offerToChain(db, assembly);
  }

  #offerToChain(db: DatabaseState, assembly: SetAssembly): void {
    if (assembly.inChain || assembly.stripes.size < assembly.familyCount) return;
    const { header } = assembly;
    const files = [...assembly.stripes.entries()].sort(([a], [b]) => a - b).map(([, ref]) => ref);
    const usable: UsableSet = {
      guid: assembly.guid,
      type: assembly.type,
      firstLsn: header.FirstLSN ?? 0n,
      lastLsn: header.LastLSN ?? 0n,
      diffBaseGuid: header.DifferentialBaseGUID,
      forkId: header.RecoveryForkID,
      files,
    };
    db.chain.add(usable);
    assembly.inChain = true;
  }
}

function reasonForReadError(code: BackupErrorCode): IgnoreReason {
  switch (code) {
    case 'NotABackup':
    case 'EmptyFile':
      return 'NotABackupFile';
    case 'Truncated':
      return 'IncompleteBackupFile';
    case 'CorruptDescriptor':
      return 'CorruptBackupFile';
    default:
      return 'UnreadableBackupFile';
  }
}

function byFile(a: Ignored, b: Ignored): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.reason.localeCompare(b.reason);
}
