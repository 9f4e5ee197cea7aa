/**
 * TEST SUPPORT — backup headers as the planner sees them, built in memory for scenarios the corpus
 * lacks (gaps, forks, duplicates, stripes, thousands of logs). LSNs are small numbers here; only their
 * order matters to the planner.
 */
import type { PlannerFile, PlannerHeader } from '../../src/planning/index.js';

export interface SetSpec {
  readonly db?: string;
  readonly type: 'Full' | 'Diff' | 'Log';
  readonly guid: string;
  readonly first: bigint;
  readonly last: bigint;
  readonly checkpoint?: bigint;
  readonly diffBase?: string;
  readonly fork?: string;
  readonly checksums?: boolean;
  readonly complete?: boolean;
  readonly position?: number;
}

const typeCodes = { Full: 1, Diff: 5, Log: 2 } as const;

export function header(spec: SetSpec): PlannerHeader {
  return {
    DatabaseName: spec.db ?? 'Sales',
    BackupType: typeCodes[spec.type],
    Position: spec.position ?? 1,
    FirstLSN: spec.first,
    LastLSN: spec.last,
    CheckpointLSN: spec.checkpoint ?? spec.first,
    DatabaseBackupLSN: 0n,
    DifferentialBaseGUID: spec.type === 'Diff' ? (spec.diffBase ?? null) : null,
    BackupSetGUID: spec.guid,
    RecoveryForkID: spec.fork ?? 'fork-a',
    HasBackupChecksums: spec.checksums === false ? 0 : 1,
  };
}

/** A file holding the given sets (several: appended media), as one media family of `familyCount`. */
export function file(
  path: string,
  sets: readonly SetSpec[],
  family: { count: number; sequence: number } = { count: 1, sequence: 1 },
): PlannerFile {
  return {
    path,
    media: {
      label: { FamilyCount: family.count, FamilySequenceNumber: family.sequence },
      sets: sets.map((spec, index) => ({
        header: header({ ...spec, position: spec.position ?? index + 1 }),
        complete: spec.complete ?? true,
      })),
    },
  };
}

export function unreadable(
  path: string,
  code: 'NotABackup' | 'Truncated' | 'CorruptDescriptor' = 'NotABackup',
): PlannerFile {
  return { path, error: { code, message: `${path}: ${code}` } };
}

/** A full at LSN 100–200 and `count` logs chained after it, each 10 LSNs long, the first spanning the base. */
export function chain(count: number, db = 'Sales'): PlannerFile[] {
  const files = [
    file(`${db}_full.bak`, [{ db, type: 'Full', guid: `${db}-full`, first: 100n, last: 200n }]),
  ];
  for (let i = 0; i < count; i++) {
    const first = 195n + BigInt(i) * 10n;
    files.push(
      file(`${db}_log_${String(i).padStart(6, '0')}.trn`, [
        { db, type: 'Log', guid: `${db}-log-${i}`, first, last: first + 10n },
      ]),
    );
  }
  return files;
}
