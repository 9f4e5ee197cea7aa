/**
 * Benchmark: 200 concurrent online migrations of 100 backup files each through the embedded mode
 * (issue 4), against a baseline measured in the same run: one migration alone, same files, same
 * schedule, same metrics.
 *
 * Each migration has its own database and backup folder. Its files arrive over time: a full of 4 MiB,
 * then 99 logs of 100 KiB on a proper LSN chain, one a second (file k in second k, at a point of it
 * that varies from file to file and migration to migration), so under load 200 files a second
 * arrive in all, for 100 s. The files are generated beforehand (bench/support/backup-chain.ts) and
 * arrive by a rename into the folder: the arrival is one instant, known to the millisecond, and
 * costs the machine nothing (the files are flushed to the disk before the phases start, so that the
 * kernel's writeback of them does not fall in one).
 *
 * Measured, from the service's own records and on loopback only:
 * - arrival to Restored, per file: from the rename to the file's `FileRestored` event in the
 *   migration's event log (`GET …/databaseMigrations/{name}/events`); median and p99, and the
 *   stages between (events `FileArrived`, `FileUploading`, `FileUploaded`);
 * - `migration show` latency: `GET …/databaseMigrations/{name}?expand=MigrationStatusDetails`, one
 *   request at a time, 20 ms apart, the migrations in turn, while the files arrive (a bounded loop:
 *   5,000 requests at most).
 * Targets: p99 arrival to Restored under 2 s; `migration show` p99 under 50 ms.
 *
 * The service runs in its own process, as `sqlmig up` does (bench/support/embedded-process.ts), with
 * its default settings: only the data folder and a free port are given. Those defaults are: the
 * engine woken by folder changes, finished uploads and restore progress, and looking at every
 * migration each 1,000 ms anyway; the rehearsal target told of each uploaded blob, scanning every
 * folder each 30 s anyway, and "restoring" at 200 MiB/s; 2 uploads at a time per migration (on two upload threads, which also read the headers; a
 * migration's logs wait until its full is uploaded) in blocks of 4 MiB; SQLite state in the data
 * folder.
 * Everything lives in a temporary folder (under SQLMIG_BENCH_DIR if set), removed at the end.
 * `SQLMIG_BENCH_CPU_PROF=DIR` writes CPU profiles of the service processes into DIR; for quicker
 * trials SQLMIG_BENCH_MIGRATIONS, SQLMIG_BENCH_FILES and SQLMIG_BENCH_LOG_INTERVAL_MS change the load (the figures
 * are then not the issue's). `SQLMIG_BENCH_TIMELINE=FILE` writes each file's times under load (ms
 * after the first arrival: arrived, seen, uploading, uploaded, restored), one JSON line a file.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { ServiceClient } from '../src/client/index.js';

import { fullBackup, logBackup, type ChainShape } from './support/backup-chain.js';
import { startServiceProcess, type ProcessStats } from './support/embedded-process.js';
import type { BenchOutcome } from './support/bench-kit.js';

const migrations = envNumber('SQLMIG_BENCH_MIGRATIONS', 200);
const filesPerMigration = envNumber('SQLMIG_BENCH_FILES', 100);
/** Reported apart: the files arriving first (all 200 fulls among them) and the rest. */
const earlyFiles = 10;
const logIntervalMs = envNumber('SQLMIG_BENCH_LOG_INTERVAL_MS', 1_000);
const shape: ChainShape = { fullDataBytes: 4 * 1024 * 1024, logBytes: 100 * 1024 };
const maxRestoredP99Ms = 2_000;
const maxShowP99Ms = 50;
const showPauseMs = 20;
const maxShowSamples = 5_000;
/** After the last arrival: how long files may take to be Restored before they count as lost. */
const drainTimeoutMs = 30_000;
const serviceName = 'default';

interface Database {
  readonly name: string;
  /** Where its files wait to arrive. */
  readonly staging: string;
  /** The migration's backup folder. */
  readonly folder: string;
  /** Full first, then the logs, in arrival order. */
  readonly files: readonly string[];
}

interface ServiceEvent {
  readonly sequence: number;
  readonly at: string;
  readonly kind: string;
  readonly message: string;
  readonly data?: { readonly file?: string };
}

const stageNames = ['seen', 'to upload', 'upload', 'to Restored'] as const;
type Stage = (typeof stageNames)[number];

interface PhaseResult {
  readonly label: string;
  readonly files: number;
  /** Arrival to Restored per file, in ms; files never Restored are left out (see `lost`). */
  readonly restoredMs: number[];
  /** The same, by when the file arrived: in the first 10 s (the fulls among them) and later. */
  readonly restoredEarlyMs: number[];
  readonly restoredLaterMs: number[];
  readonly lost: number;
  /** Files never Restored, by the last status the event log gave them. */
  readonly lostAt: Map<string, number>;
  readonly stages: Record<Stage, number[]>;
  readonly showMs: number[];
  readonly showErrors: number;
  /** The latest an arrival was on its schedule (the bench's own lag). */
  readonly arrivalLagMs: number;
  readonly stats: ProcessStats;
}

export async function migrationsBench(): Promise<BenchOutcome> {
  const root = await mkdtemp(join(process.env.SQLMIG_BENCH_DIR ?? tmpdir(), 'sqlmig-bench-mig-'));
  try {
    const started = performance.now();
    const alone = [await database(root, 'Alone', 0)];
    const crowd = await forEach(
      Array.from({ length: migrations }, (_, i) => i + 1),
      (i) => database(root, `Bench${String(i).padStart(3, '0')}`, i),
    );
    // The files just written go to the disk now, not in the kernel's writeback during a phase.
    execFileSync('sync');
    console.log(
      `migrations: ${migrations} online migrations x ${filesPerMigration} files (a full of ${mib(shape.fullDataBytes)} MiB, logs of ${shape.logBytes / 1024} KiB, one every ${logIntervalMs} ms per migration) through the embedded service in its own process with its default settings (only a data folder and port 0 given); files written in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    if (migrations !== 200 || filesPerMigration !== 100 || logIntervalMs !== 1_000)
      console.log(
        '  (SQLMIG_BENCH_MIGRATIONS, SQLMIG_BENCH_FILES or SQLMIG_BENCH_LOG_INTERVAL_MS set: not the load of issue 4)',
      );
    const baseline = await phase('baseline (1 migration alone)', alone, root);
    report(baseline);
    const load = await phase(`load (${migrations} migrations)`, crowd, root);
    report(load);

    const restoredP99 = percentile(load.restoredMs, 0.99, load.lost);
    const showP99 = percentile(load.showMs, 0.99, load.showErrors);
    const ratio = (a: number, b: number): string =>
      Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}x` : 'n/a';
    console.log(
      `  ratios load / baseline: arrival to Restored median ${ratio(percentile(load.restoredMs, 0.5, load.lost), percentile(baseline.restoredMs, 0.5, baseline.lost))}, p99 ${ratio(restoredP99, percentile(baseline.restoredMs, 0.99, baseline.lost))}; migration show median ${ratio(percentile(load.showMs, 0.5, load.showErrors), percentile(baseline.showMs, 0.5, baseline.showErrors))}, p99 ${ratio(showP99, percentile(baseline.showMs, 0.99, baseline.showErrors))}`,
    );
    const restoredOk = restoredP99 < maxRestoredP99Ms;
    const showOk = showP99 < maxShowP99Ms;
    console.log(
      `  ${restoredOk ? 'PASS' : 'FAIL'} arrival to Restored p99 under load ${withUnit(restoredP99)} (target < ${maxRestoredP99Ms} ms)`,
    );
    console.log(
      `  ${showOk ? 'PASS' : 'FAIL'} migration show p99 under load ${withUnit(showP99)} (target < ${maxShowP99Ms} ms)`,
    );
    return { name: 'migrations', passed: restoredOk && showOk };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Writes one database's chain into its staging folder; makes its (empty) backup folder. */
async function database(root: string, name: string, index: number): Promise<Database> {
  const staging = join(root, 'staging', name);
  const folder = join(root, 'incoming', name);
  await mkdir(staging, { recursive: true });
  await mkdir(folder, { recursive: true });
  const files = [`${name}_full.bak`];
  await writeFile(join(staging, `${name}_full.bak`), fullBackup(name, index, shape));
  for (let n = 1; n < filesPerMigration; n++) {
    const file = `${name}_log_${String(n).padStart(3, '0')}.trn`;
    await writeFile(join(staging, file), logBackup(name, index, n, shape));
    files.push(file);
  }
  return { name, staging, folder, files };
}

/**
 * One phase: a service of its own on `dbs`. Its state, blobs and folders stay until the bench ends
 * (the root is removed then): a few hundred files deleted at its end would fall just before the next
 * phase, and on a file system without a journal every file created in the next minute or so searches
 * past the inodes freed (docs/migration-engine.md, "Throughput").
 */
async function phase(label: string, dbs: readonly Database[], root: string): Promise<PhaseResult> {
  const dataDir = join(root, `state-${dbs.length}`);
  const service = await startServiceProcess(dataDir);
  try {
    const client = new ServiceClient(service.url, service.token);
    for (const db of dbs) {
      await client.startMigration(serviceName, db.name, {
        sourceDatabaseName: db.name,
        backupFolder: db.folder,
        offline: false,
      });
    }
    await untilInProgress(client, dbs.length);

    // File k of a migration arrives in the k-th interval, at a point that differs from file to file
    // and from migration to migration (spread evenly, not at random), so that arrivals meet the
    // service's periodic work at every phase, the lone migration's as well.
    const t0 = Date.now() + 1_000;
    const arrivals = dbs
      .flatMap((db, i) =>
        db.files.map((file, k) => ({
          at: t0 + Math.floor((k + fraction(i / dbs.length + k * goldenRatio)) * logIntervalMs),
          db,
          file,
        })),
      )
      .sort((a, b) => a.at - b.at);
    const arrivedAt = new Map<string, number>();
    let arriving = true;
    const show = sampleShow(client, dbs, () => arriving);
    let arrivalLagMs = 0;
    try {
      for (const { at, db, file } of arrivals) {
        const wait = at - Date.now();
        if (wait > 0) await sleep(wait);
        const now = Date.now();
        arrivalLagMs = Math.max(arrivalLagMs, now - at);
        arrivedAt.set(`${db.name}/${file}`, now);
        await rename(join(db.staging, file), join(db.folder, file));
      }
    } finally {
      arriving = false;
    }
    const { samples: showMs, errors: showErrors } = await show;
    const events = await collectEvents(client, dbs, Date.now() + drainTimeoutMs);
    const stats = await service.stop();

    const restoredMs: number[] = [];
    const restoredEarlyMs: number[] = [];
    const restoredLaterMs: number[] = [];
    const stages: Record<Stage, number[]> = {
      seen: [],
      'to upload': [],
      upload: [],
      'to Restored': [],
    };
    let lost = 0;
    const lostAt = new Map<string, number>();
    const timeline: string[] = [];
    for (const db of dbs) {
      const times = firstTimes(events.get(db.name) ?? []);
      for (const [index, file] of db.files.entries()) {
        const arrived = arrivedAt.get(`${db.name}/${file}`);
        const t = times.get(file);
        const seen = t?.get('FileArrived');
        const uploading = t?.get('FileUploading');
        const uploaded = t?.get('FileUploaded');
        const restored = t?.get('FileRestored');
        const since = (ms: number | undefined) => (ms === undefined ? null : ms - t0);
        timeline.push(
          JSON.stringify({
            db: db.name,
            file: index,
            arrived: since(arrived),
            seen: since(seen),
            uploading: since(uploading),
            uploaded: since(uploaded),
            restored: since(restored),
          }),
        );
        if (arrived !== undefined && seen !== undefined) stages.seen.push(seen - arrived);
        if (seen !== undefined && uploading !== undefined)
          stages['to upload'].push(uploading - seen);
        if (uploading !== undefined && uploaded !== undefined)
          stages.upload.push(uploaded - uploading);
        if (uploaded !== undefined && restored !== undefined)
          stages['to Restored'].push(restored - uploaded);
        if (arrived !== undefined && restored !== undefined) {
          restoredMs.push(restored - arrived);
          (index < earlyFiles ? restoredEarlyMs : restoredLaterMs).push(restored - arrived);
        } else {
          lost++;
          const last = t === undefined ? 'not seen' : ([...t.keys()].at(-1) ?? 'not seen');
          lostAt.set(last, (lostAt.get(last) ?? 0) + 1);
        }
      }
    }
    const timelineFile = process.env.SQLMIG_BENCH_TIMELINE;
    if (timelineFile && dbs.length > 1) await writeFile(timelineFile, `${timeline.join('\n')}\n`);
    return {
      label,
      files: dbs.length * filesPerMigration,
      restoredMs,
      restoredEarlyMs,
      restoredLaterMs,
      lost,
      lostAt,
      stages,
      showMs,
      showErrors,
      arrivalLagMs,
      stats,
    };
  } catch (error) {
    service.kill();
    throw error;
  }
}

async function untilInProgress(client: ServiceClient, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { value } = await client.listMigrations(serviceName);
    const running = value.filter((m) => m.properties.migrationStatus === 'InProgress').length;
    if (running === count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${running} of ${count} migrations started within 60 s`);
    await sleep(200);
  }
}

/** `migration show` of each migration in turn, one request at a time, until `going()` is false. */
async function sampleShow(
  client: ServiceClient,
  dbs: readonly Database[],
  going: () => boolean,
): Promise<{ samples: number[]; errors: number }> {
  const samples: number[] = [];
  let errors = 0;
  // Opens the connection first, so that its setup is not counted.
  await client.getMigration(serviceName, dbs[0]?.name ?? '', true).catch(() => undefined);
  for (let i = 0; going() && samples.length + errors < maxShowSamples; i++) {
    const db = dbs[(i * 7919) % dbs.length];
    if (!db) break;
    const started = performance.now();
    try {
      const shown = await client.getMigration(serviceName, db.name, true);
      if (!shown.properties.migrationStatusDetails) throw new Error('no migrationStatusDetails');
      samples.push(performance.now() - started);
    } catch {
      errors++;
    }
    await sleep(showPauseMs);
  }
  return { samples, errors };
}

/**
 * Every migration's event log, read incrementally (one request at a time) until each file has
 * ended (Restored, or Ignored) or `deadline` passes.
 */
async function collectEvents(
  client: ServiceClient,
  dbs: readonly Database[],
  deadline: number,
): Promise<Map<string, ServiceEvent[]>> {
  const events = new Map<string, ServiceEvent[]>(dbs.map((db) => [db.name, []]));
  let pending = [...dbs];
  for (;;) {
    for (const db of pending) {
      const list = events.get(db.name) ?? [];
      const after = list.at(-1)?.sequence ?? 0;
      // The API sends each event's data (the client's type leaves it out).
      const { value }: { value: ServiceEvent[] } = await client.events(serviceName, db.name, after);
      list.push(...value);
    }
    pending = pending.filter((db) => {
      const ended = (events.get(db.name) ?? []).filter(
        (e) => e.kind === 'FileRestored' || e.kind === 'FileIgnored',
      ).length;
      return ended < db.files.length;
    });
    if (pending.length === 0 || Date.now() > deadline) return events;
    await sleep(1_000);
  }
}

/** Per file, the time of the first event of each kind. */
function firstTimes(events: readonly ServiceEvent[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const event of events) {
    const file = event.data?.file;
    if (file === undefined) continue;
    let times = out.get(file);
    if (!times) out.set(file, (times = new Map<string, number>()));
    if (!times.has(event.kind)) times.set(event.kind, Date.parse(event.at));
  }
  return out;
}

function report(r: PhaseResult): void {
  const stat = (values: number[], missing = 0): string =>
    `median ${ms(percentile(values, 0.5, missing))}, p99 ${ms(percentile(values, 0.99, missing))}, max ${ms(missing > 0 ? Infinity : Math.max(...values))}`;
  const s = r.stats;
  console.log(
    [
      `  ${r.label}:`,
      `    arrival to Restored (ms): ${stat(r.restoredMs, r.lost)}; ${r.restoredMs.length} of ${r.files} files Restored; ${overTarget(r)}${r.lost > 0 ? ` (${r.lost} not within ${drainTimeoutMs / 1000} s of the last arrival, counted as never; their last event: ${[...r.lostAt].map(([kind, n]) => `${kind} ${n}`).join(', ')})` : ''}`,
      `    by arrival (ms): files 1-${earlyFiles} (the full and the first logs) median ${ms(percentile(r.restoredEarlyMs, 0.5))}, p99 ${ms(percentile(r.restoredEarlyMs, 0.99))}; files ${earlyFiles + 1}-${filesPerMigration} median ${ms(percentile(r.restoredLaterMs, 0.5))}, p99 ${ms(percentile(r.restoredLaterMs, 0.99))}`,
      `    stages, median / p99 (ms): ${stageNames.map((name) => `${name} ${ms(percentile(r.stages[name], 0.5))} / ${ms(percentile(r.stages[name], 0.99))}`).join(', ')}`,
      `    migration show (ms): ${stat(r.showMs, r.showErrors)}; ${r.showMs.length} requests${r.showErrors > 0 ? `, ${r.showErrors} failed` : ''}`,
      `    service process: ${(s.cpuMs / 1000).toFixed(1)} s CPU in ${(s.wallMs / 1000).toFixed(0)} s (${((100 * s.cpuMs) / s.wallMs).toFixed(0)}% of a core), event loop busy ${(100 * s.eventLoopUtilization).toFixed(0)}%, loop delay p50 ${ms(s.loopDelayP50Ms)} / p99 ${ms(s.loopDelayP99Ms)} / max ${ms(s.loopDelayMaxMs)} ms, RSS ${mib(s.rssBytes)} MiB; arrivals at most ${r.arrivalLagMs} ms late`,
    ].join('\n'),
  );
}

/** How many files took the target's time or more, against how many a p99 under it allows. */
function overTarget(r: PhaseResult): string {
  const over = r.restoredMs.filter((t) => t >= maxRestoredP99Ms).length + r.lost;
  const allowed = r.files - Math.ceil(0.99 * r.files);
  return `${over} took ${maxRestoredP99Ms / 1000} s or more (a p99 under ${maxRestoredP99Ms / 1000} s allows ${allowed})`;
}

const goldenRatio = (Math.sqrt(5) - 1) / 2;

function fraction(x: number): number {
  return x - Math.floor(x);
}

/** Nearest-rank percentile; `missing` values count as infinitely large. */
function percentile(values: readonly number[], p: number, missing = 0): number {
  const n = values.length + missing;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(p * n));
  if (rank > values.length) return Infinity;
  return [...values].sort((a, b) => a - b)[rank - 1] ?? NaN;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'n/a' : 'never';
  return value.toFixed(value < 10 ? 1 : 0);
}

function withUnit(value: number): string {
  return Number.isFinite(value) ? `${ms(value)} ms` : ms(value);
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive whole number, not ${text}`);
  return value;
}

async function forEach<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return out;
}
