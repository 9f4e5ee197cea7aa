/**
 * The upload step of a tick: starts uploading the migration's classified backups (fulls first, then
 * differentials, then logs, in LSN order), a few at a time, through the integration runtime;
 * differentials and logs only once a full backup is uploaded (none restores before it). Each
 * upload runs in the background and records its outcome on the file, between the migration's ticks:
 * Uploaded with its sizes and throughput (then the target hears of the blob, and the migration is
 * woken so that the next upload starts at once), or back to Arrived with the error, to be tried
 * again. A file left Uploading by a process that died is taken up again (the runtime resumes from the
 * blocks already staged).
 */
import type { FileRecord, MigrationRecord } from '../state/index.js';

import { uniqueBlobName } from './blob-names.js';
import { fileDocument, hasUploadedFull } from './documents.js';
import type { EngineContext } from './engine-context.js';
import type { MigrationRun } from './migration-run.js';

const rank = { Full: 0, Differential: 1, Log: 2 } as const;
const retryDelayMs = 1_000;

export async function uploadStep(
  ctx: EngineContext,
  migration: MigrationRecord,
  run: MigrationRun,
): Promise<void> {
  if (run.canceled || run.uploadsAborter.signal.aborted) return;
  if (run.uploads.size >= ctx.uploadsPerMigration) return;
  const now = ctx.records.now();
  // Nothing restores before a full backup: until one is uploaded, the others wait (a burst of full
  // backups, 200 migrations starting at once, uploads without the logs arriving beside it).
  run.fullUploaded ||= hasUploadedFull(run.book.all());
  const waiting: FileRecord[] = [];
  for (const f of run.book.awaitingUpload())
    if (
      fileDocument(f).backupType !== null &&
      (run.fullUploaded || fileDocument(f).backupType === 'Full') &&
      !run.uploads.has(f.fileName) &&
      (run.retryAfter.get(f.fileName) ?? '') <= now
    )
      waiting.push(f);
  if (waiting.length === 0) return;
  const candidates = waiting.sort((a, b) => {
    const da = fileDocument(a);
    const dbb = fileDocument(b);
    const byType = rank[da.backupType ?? 'Log'] - rank[dbb.backupType ?? 'Log'];
    return byType !== 0
      ? byType
      : BigInt(da.firstLSN ?? '0') < BigInt(dbb.firstLSN ?? '0')
        ? -1
        : 1;
  });
  const used = new Set(run.book.blobNames());
  for (const record of candidates) {
    if (run.uploads.size >= ctx.uploadsPerMigration) break;
    const doc = fileDocument(record);
    const blobName =
      doc.blobName ?? uniqueBlobName(migration.targetDbName, record.fileName, doc, used);
    used.add(blobName);
    const started = await run.book.put(
      record.fileName,
      'Uploading',
      record,
      { blobName, uploadStartedOn: doc.uploadStartedOn ?? ctx.records.now(), lastError: null },
      record.status === 'Uploading'
        ? `${record.fileName}: upload resumed.`
        : `${record.fileName}: uploading to ${blobName}.`,
    );
    // Never started before: the runtime need not look for staged blocks or a committed blob.
    const firstAttempt = record.status === 'Arrived' && doc.uploadStartedOn === null;
    const upload = uploadFile(ctx, migration, run, started, blobName, firstAttempt).finally(() => {
      run.uploads.delete(record.fileName);
      run.progress.delete(record.fileName);
      ctx.wake(migration.id);
    });
    run.uploads.set(record.fileName, upload);
  }
}

async function uploadFile(
  ctx: EngineContext,
  migration: MigrationRecord,
  run: MigrationRun,
  record: FileRecord,
  blobName: string,
  firstAttempt: boolean,
): Promise<void> {
  try {
    const outcome = await run.source.upload(
      record.fileName,
      ctx.blobs,
      blobName,
      (progress) => run.progress.set(record.fileName, progress),
      run.uploadsAborter.signal,
      { firstAttempt },
    );
    const seconds = Math.max(outcome.durationMs / 1000, 0.001);
    const recorded = await recordUnlessStopped(run, false, () =>
      ctx.exclusive(migration.id, async () => {
        const current = await currentRecord(run, record.fileName);
        if (current?.status !== 'Uploading') return false;
        await run.book.put(
          record.fileName,
          'Uploaded',
          current,
          {
            dataRead: outcome.dataRead,
            dataWritten: outcome.dataWritten,
            copyDuration: Math.round(seconds * 1000) / 1000,
            copyThroughput: Math.round(outcome.dataWritten / 1024 / seconds),
          },
          `${record.fileName}: uploaded (${outcome.dataWritten} bytes in ${seconds.toFixed(1)} s).`,
        );
        return true;
      }),
    );
    run.retryAfter.delete(record.fileName);
    if (recorded) ctx.target.blobCommitted?.(blobName);
  } catch (error) {
    // Stopped by a cancel (which marks the file Canceled) or a shutdown (the next process resumes).
    if (run.uploadsAborter.signal.aborted) return;
    const message = error instanceof Error ? error.message : String(error);
    // Not again at once: a file that keeps failing (changing under the copy, unreadable) is tried
    // once a second, not in a loop.
    run.retryAfter.set(
      record.fileName,
      new Date(Date.parse(ctx.records.now()) + retryDelayMs).toISOString(),
    );
    await recordUnlessStopped(run, undefined, () =>
      ctx.exclusive(migration.id, async () => {
        const current = await currentRecord(run, record.fileName);
        if (current?.status !== 'Uploading') return;
        await run.book.put(
          record.fileName,
          'Arrived',
          current,
          { lastError: message },
          `${record.fileName}: upload failed, will retry: ${message}`,
        );
      }),
    );
  }
}

/**
 * Waits for an upload's outcome to be recorded (`record`: a turn of the migration, `ctx.exclusive`),
 * but no longer once the run's uploads are stopped: a cancel waits for its uploads during a turn of
 * its own, and an upload waiting for the next turn to record itself would then wait forever. A
 * recording asked for before the stop still runs in its turn, and finds the file Canceled (nothing
 * to write) or, after a shutdown, records it as usual; once stopped, none is asked for (the file
 * stays Uploading, and the next process recognises its committed blob). Resolves to `stopped` when
 * it did not wait.
 */
function recordUnlessStopped<T>(
  run: MigrationRun,
  stopped: T,
  record: () => Promise<T>,
): Promise<T> {
  const signal = run.uploadsAborter.signal;
  if (signal.aborted) return Promise.resolve(stopped);
  const recording = record();
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      recording.catch(() => undefined); // settles unheard
      resolve(stopped);
    };
    signal.addEventListener('abort', stop, { once: true });
    recording.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', stop);
    });
  });
}

/** The file's record as it is now (read from the store again if the book was forgotten meanwhile). */
async function currentRecord(run: MigrationRun, fileName: string): Promise<FileRecord | undefined> {
  await run.book.load();
  return run.book.get(fileName);
}
