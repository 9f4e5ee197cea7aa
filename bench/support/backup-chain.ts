/**
 * BENCH SUPPORT — one database's backup chain for the migrations benchmark: a full of a few MiB, then
 * log backups with a proper LSN chain (each log starts where the previous one ended). The media are
 * written by the test-support synthetic writer (a stand-in for SQL Server's BACKUP); a log's
 * transaction-log stream (`MQTL`) is then lengthened to the size asked for, so that the logs weigh
 * what small real ones do (the writer's logs are ~5 KiB). The backup reader steps over that stream by
 * its length, as it does over real log data.
 */
import { syntheticBackupBytes, type SyntheticSet } from '../../test/support/synthetic-backup.js';

const sector = 512;

export interface ChainShape {
  /** Bytes of database pages in the full (a multiple of 8192). */
  readonly fullDataBytes: number;
  /** Approximate size of each log backup file. */
  readonly logBytes: number;
}

/** The base of every database's LSNs, as a real database far into its life. */
const fullFirstLsn = 41_000_000_012_300_001n;
const fullLastLsn = 41_000_000_014_500_001n;
const logStep = 1_000_000n;

/** The full backup of database number `db` (0-based), named `name`. */
export function fullBackup(name: string, db: number, shape: ChainShape): Uint8Array {
  return syntheticBackupBytes({
    mediaSetId: guid(db, 0, 'a'),
    sets: [
      {
        ...common(name, db),
        type: 'D',
        backupSetGuid: guid(db, 0, 'b'),
        firstLsn: fullFirstLsn,
        lastLsn: fullLastLsn,
        checkpointLsn: fullFirstLsn,
        databaseBackupLsn: 0n,
        startDate: stamp(0),
        finishDate: stamp(1),
        dataBytes: shape.fullDataBytes,
      },
    ],
  });
}

/** Log backup number `n` (1-based) of database number `db`: LSNs from where log n-1 ended. */
export function logBackup(name: string, db: number, n: number, shape: ChainShape): Uint8Array {
  const bytes = syntheticBackupBytes({
    mediaSetId: guid(db, n, 'a'),
    sets: [
      {
        ...common(name, db),
        type: 'L',
        backupSetGuid: guid(db, n, 'b'),
        firstLsn: fullLastLsn + BigInt(n - 1) * logStep,
        lastLsn: fullLastLsn + BigInt(n) * logStep,
        checkpointLsn: fullFirstLsn,
        databaseBackupLsn: fullFirstLsn,
        startDate: stamp(n * 5),
        finishDate: stamp(n * 5 + 1),
      },
    ],
  });
  return withLogData(bytes, Math.max(0, shape.logBytes - bytes.length));
}

function common(
  name: string,
  db: number,
): Pick<SyntheticSet, 'databaseName' | 'serverName' | 'userName' | 'checksums' | 'backupName'> {
  return {
    databaseName: name,
    serverName: 'BENCH01\\PROD',
    userName: 'BENCH\\dba',
    checksums: true,
    backupName: `${name} chain ${db}`,
  };
}

/** A GUID unique per database, file and role (`a` media set, `b` backup set). */
function guid(db: number, file: number, role: 'a' | 'b'): string {
  const d = db.toString(16).padStart(8, '0');
  const f = file.toString(16).padStart(12, '0');
  return `${d}-00${role}0-4000-8000-${f}`;
}

/** A backup date `minutes` after the chain's start, in the writer's format. */
function stamp(minutes: number): string {
  return new Date(Date.UTC(2026, 10, 1, 1, 0, 0) + minutes * 60_000).toISOString().slice(0, 19);
}

/**
 * The media with `extra` more bytes of log data in the `MSTL` block's `MQTL` stream: the block is
 * rebuilt (fixed part as written, the longer stream, padding to the next sector) and the rest of
 * the media follows it unchanged.
 */
function withLogData(media: Uint8Array, extra: number): Uint8Array {
  if (extra === 0) return media;
  const start = blockAt(media, 'MSTL', 0);
  const next = blockAt(media, 'MSLS', start + sector);
  const view = new DataView(media.buffer, media.byteOffset, media.byteLength);
  const fixedBytes = view.getUint16(start + 8, true);
  const streamAt = start + fixedBytes;
  if (ascii(media, streamAt) !== 'MQTL') throw new Error('no MQTL stream after the MSTL block');
  const length = Number(view.getBigUint64(streamAt + 8, true));
  const fixed = media.subarray(start, start + fixedBytes);
  const body = Buffer.concat([fixed, stream('MQTL', length + extra)]);
  const block = Buffer.concat([body, spad(body.length)]);
  return Buffer.concat([media.subarray(0, start), block, media.subarray(next)]);
}

function blockAt(media: Uint8Array, type: string, from: number): number {
  for (let at = from; at + 4 <= media.length; at += sector)
    if (ascii(media, at) === type) return at;
  throw new Error(`no ${type} block in the synthetic media`);
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

// MTF stream headers, as test/support/synthetic-backup.ts writes them.

function xorWords(bytes: Uint8Array, words: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let sum = 0;
  for (let i = 0; i < words; i++) sum ^= view.getUint16(i * 2, true);
  return sum;
}

function streamHeader(id: string, length: number): Uint8Array {
  const header = new Uint8Array(22);
  const view = new DataView(header.buffer);
  for (let i = 0; i < 4; i++) header[i] = id.charCodeAt(i);
  view.setBigUint64(8, BigInt(length), true);
  view.setUint16(20, xorWords(header, 10), true);
  return header;
}

/** A stream of `length` zero bytes, padded to 4 bytes. */
function stream(id: string, length: number): Uint8Array {
  const padded = new Uint8Array(Math.ceil((22 + length) / 4) * 4);
  padded.set(streamHeader(id, length), 0);
  return padded;
}

/** SPAD from `offset` to the next sector boundary (leaving room for its own header). */
function spad(offset: number): Uint8Array {
  let end = Math.ceil((offset + 22) / sector) * sector;
  if (end - offset < 22) end += sector;
  const out = new Uint8Array(end - offset);
  out.set(streamHeader('SPAD', end - offset - 22), 0);
  return out;
}
