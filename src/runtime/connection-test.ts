/**
 * The connection test of an integration runtime: each hop a migration needs, checked from where the
 * runtime runs, one after the other (a failed hop does not stop the next). A registered node runs
 * it for a `testConnection` job; the embedded service runs it in process for its own runtime, which
 * reads local folders and takes no jobs.
 */
import { createHash, randomUUID } from 'node:crypto';

import type { ConnectionCheck, TestConnectionResult } from '../runtime-protocol/index.js';
import type { BlobStore } from '../storage/index.js';

export interface ConnectionTestInput {
  /** Who tests: the node's name, in the result and in the probe blob's name. */
  readonly nodeName: string;
  /** The backup location, as the runtime reads it, and its path and login for the message. */
  readonly source: { list(): Promise<readonly unknown[]> };
  readonly location: { readonly path: string; readonly username?: string };
  /** The store uploads go into. */
  readonly store: BlobStore;
}

export async function testConnection(input: ConnectionTestInput): Promise<TestConnectionResult> {
  const { nodeName, source, location, store } = input;
  const listed = await check('backupLocation', async () => {
    const files = await source.list();
    const user = location.username ? ` as ${location.username}` : '';
    return `Listed ${location.path}${user}: ${files.length} file(s).`;
  });
  const storage = await check('uploadStorage', async () => {
    // A one-block blob is written, committed and deleted: the rights an upload needs.
    const probe = `sqlmig-connection-test/${nodeName}-${randomUUID()}.probe`;
    const bytes = Buffer.from(`sqlmig connection test from ${nodeName}\n`);
    const md5 = createHash('md5').update(bytes).digest('base64');
    await store.stageBlock(probe, 'probe-0', bytes, { contentMd5: md5 });
    await store.commitBlocks(probe, ['probe-0'], { contentMd5: md5, metadata: {} });
    await store.delete(probe);
    return `Wrote, committed and deleted a test blob in ${store.description}.`;
  });
  return {
    nodeName,
    checks: [
      listed,
      storage,
      {
        hop: 'sourceSqlServer',
        status: 'Skipped',
        message:
          'Not checked: sqlmig does not connect to the source SQL Server yet (backups are read from files).',
        durationMs: 0,
      },
    ],
  };
}

async function check(
  hop: ConnectionCheck['hop'],
  work: () => Promise<string>,
): Promise<ConnectionCheck> {
  const started = Date.now();
  try {
    const message = await work();
    return { hop, status: 'Succeeded', message, durationMs: Date.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { hop, status: 'Failed', message, durationMs: Date.now() - started };
  }
}
