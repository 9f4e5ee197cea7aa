/**
 * The upload step of a tick: starts uploading the migration's classified backups (fulls first, then
 * differentials, then logs, in LSN order), a few at a time, through the integration runtime. Each
 * upload runs in the background and records its outcome on the file: Uploaded with its sizes and
 * throughput, or back to Arrived with the error, to be tried again. A file left Uploading by a process
 * that died is taken up again (the runtime resumes from the blocks already staged).
 */
import type { FileRecord, MigrationRecord } from '../state/index.js';

import { uniqueBlobName, usedBlobNames } from './blob-names.js';
import { fileDocument } from './documents.js';
import type { EngineContext } from './engine-context.js';
import type { MigrationRun } from './migration-run.js';

const rank = { Full: 0, Differential: 1, Log: 2 } as const;

export async function uploadStep(
  ctx: EngineContext,
  migration: MigrationRecord,
  run: MigrationRun,
): Promise<void> {
  if (run.canceled || run.uploadsAborter.signal.aborted) return;
  const files = await ctx.records.files(migration.id);
  const used = usedBlobNames(files);
  const candidates = files
    .filter(
      (f) =>
        (f.status === 'Arrived' || f.status === 'Uploading') &&
        fileDocument(f).backupType !== null &&
        !run.uploads.has(f.fileName),
    )
    .sort((a, b) => {
      const da = fileDocument(a);
      const dbb = fileDocument(b);
      const byType = rank[da.backupType ?? 'Log'] - rank[dbb.backupType ?? 'Log'];
      return byType !== 0
        ? byType
        : BigInt(da.firstLSN ?? '0') < BigInt(dbb.firstLSN ?? '0')
          ? -1
          : 1;
    });
  for (const record of candidates) {
    if (run.uploads.size >= ctx.uploadsPerMigration) break;
    const doc = fileDocument(record);
    const blobName =
      doc.blobName ?? uniqueBlobName(migration.targetDbName, record.fileName, doc, used);
    used.add(blobName);
    const started = await ctx.records.putFile(
      migration.id,
      record.fileName,
      'Uploading',
      record,
      { blobName, uploadStartedOn: doc.uploadStartedOn ?? ctx.records.now(), lastError: null },
      record.status === 'Uploading'
        ? `${record.fileName}: upload resumed.`
        : `${record.fileName}: uploading to ${blobName}.`,
    );
    const upload = uploadFile(ctx, migration, run, started, blobName).finally(() => {
      run.uploads.delete(record.fileName);
      run.progress.delete(record.fileName);
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
): Promise<void> {
  try {
    const outcome = await run.source.upload(
      record.fileName,
      ctx.blobs,
      blobName,
      (progress) => run.progress.set(record.fileName, progress),
      run.uploadsAborter.signal,
    );
    const current = await ctx.records.file(migration.id, record.fileName);
    if (!current || current.status !== 'Uploading') return;
    const seconds = Math.max(outcome.durationMs / 1000, 0.001);
    await ctx.records.putFile(
      migration.id,
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
  } catch (error) {
    // Stopped by a cancel (which marks the file Canceled) or a shutdown (the next process resumes).
    if (run.uploadsAborter.signal.aborted) return;
    const current = await ctx.records.file(migration.id, record.fileName);
    if (!current || current.status !== 'Uploading') return;
    const message = error instanceof Error ? error.message : String(error);
    await ctx.records.putFile(
      migration.id,
      record.fileName,
      'Arrived',
      current,
      { lastError: message },
      `${record.fileName}: upload failed, will retry: ${message}`,
    );
  }
}
