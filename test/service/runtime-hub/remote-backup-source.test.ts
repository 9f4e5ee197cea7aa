/**
 * The engine's backup source for runtime nodes: each call is a job a node answers; a folder's listing
 * is reused for `listReuseMs` (a share is listed by an smbclient run), a failed one is not; headers
 * come back as the reader's result; a node's malformed answer is refused with the field named.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { RemoteBackupSource, WorkQueue } from '../../../src/service/runtime-hub/index.js';
import type { BlobStore } from '../../../src/storage/index.js';

let queue: WorkQueue;
afterEach(() => {
  queue.close();
});

/** A node that answers every job of service `east` with `answer(kind, input)`, counting them. */
function node(answer: (kind: string, input: Readonly<Record<string, unknown>>) => object | Error) {
  const seen: string[] = [];
  const state = { stopped: false };
  void (async () => {
    while (!state.stopped) {
      const job = await queue.lease('east', 'node-a', 50);
      if (!job) continue;
      seen.push(job.kind);
      const reply = answer(job.kind, job.input);
      queue.complete(
        job.leaseId,
        'node-a',
        reply instanceof Error
          ? { error: { code: 'ReadFailed', message: reply.message } }
          : { result: reply },
      );
    }
  })();
  return {
    seen,
    stop: () => {
      state.stopped = true;
    },
  };
}

const source = (now: () => number) =>
  new RemoteBackupSource({
    queue,
    serviceName: 'east',
    migrationName: 'Sales',
    location: { path: '\\\\files\\backups\\Sales', username: 'svc', password: 'not shown' },
    storage: () => ({ kind: 'localFolder', path: '/blobs' }),
    listReuseMs: 5_000,
    now,
  });

describe('RemoteBackupSource', () => {
  it('reuses a listing for listReuseMs, filtering it for each caller, and lists again after', async () => {
    queue = new WorkQueue();
    const files = [
      { name: 'a.bak', size: 10, modifiedAt: '2026-11-01T00:00:00.000Z' },
      { name: 'b.trn', size: 5, modifiedAt: '2026-11-01T00:01:00.000Z' },
    ];
    const n = node(() => ({ files }));
    let now = 1_000;
    const remote = source(() => now);
    expect(remote.description).not.toContain('not shown');
    expect(await remote.list()).toEqual(files);
    now += 4_000;
    expect(await remote.list((name) => name.endsWith('.trn'))).toEqual([files[1]]);
    expect(n.seen).toEqual(['list']);
    now += 1_000;
    await remote.list();
    expect(n.seen).toEqual(['list', 'list']);
    n.stop();
  });

  it('does not reuse a failed listing, and refuses a malformed answer naming the field', async () => {
    queue = new WorkQueue();
    let calls = 0;
    const n = node(() => {
      calls += 1;
      return calls === 1
        ? new Error('The share said NT_STATUS_LOGON_FAILURE')
        : { files: [{ name: 'a.bak' }] };
    });
    const remote = source(() => 1_000);
    await expect(remote.list()).rejects.toThrow(
      'NT_STATUS_LOGON_FAILURE (integration runtime node node-a)',
    );
    await expect(remote.list()).rejects.toThrow('The listed file has no "size"');
    expect(n.seen).toEqual(['list', 'list']);
    n.stop();
  });

  it("reads headers as the backup reader's result, and uploads through the storage it is given", async () => {
    queue = new WorkQueue();
    const inputs: Readonly<Record<string, unknown>>[] = [];
    const n = node((kind, input) => {
      inputs.push(input);
      return kind === 'headers'
        ? {
            wire: JSON.stringify({
              file: 'x.bak',
              error: { code: 'Truncated', message: 'short', offset: 7 },
            }),
          }
        : { dataRead: 10, dataWritten: 10, durationMs: 3, contentMd5: 'md5' };
    });
    const remote = source(() => 0);
    const headers = await remote.readHeaders('x.bak');
    expect(headers).toMatchObject({ file: 'x.bak', error: { code: 'Truncated', offset: 7 } });
    const outcome = await remote.upload('x.bak', {} as BlobStore, 'Sales/x.bak', () => undefined);
    expect(outcome).toEqual({ dataRead: 10, dataWritten: 10, durationMs: 3, contentMd5: 'md5' });
    expect(inputs[1]).toMatchObject({
      name: 'x.bak',
      blobName: 'Sales/x.bak',
      storage: { kind: 'localFolder', path: '/blobs' },
      firstAttempt: false,
      location: { username: 'svc', password: 'not shown' },
    });
    n.stop();
  });
});
