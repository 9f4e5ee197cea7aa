/**
 * A cancel whose turn begins while an upload is finishing: the cancel waits for the upload, and the
 * upload must not wait for the migration's next turn to record itself (that turn comes after the
 * cancel's). Once, on PostgreSQL, the two waited for each other and the migration stayed Canceling.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { afterEach, describe, expect, it } from 'vitest';

import type { BackupSource } from '../../../src/service/engine/index.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus } from '../../support/corpus.js';
import { engineHarness, type EngineHarness } from '../../support/engine-harness.js';

const chain = (name: string) => corpusFile(`appveyor-lab/RestoreTimeClean/${name}`);

/** Fails after `ms` instead of waiting for ever. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    work,
    sleep(ms).then(() => Promise.reject(new Error(`${what} did not end within ${ms} ms`))),
  ]);
}

describe.skipIf(!hasBackupCorpus)(`cancel during an upload${corpusSkipReason}`, () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('ends Canceled when an upload finishes while the cancel waits for it', async () => {
    // Uploads of `held` files copy their bytes at once (they never see the abort, as an upload in
    // its last block does not), then wait for `release` before they report.
    const held = new Set<string>();
    let entered: () => void = () => undefined;
    const inGate = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const wrapSource = (source: BackupSource): BackupSource => ({
      description: source.description,
      list: (wanted) => source.list(wanted),
      ...(source.watch ? { watch: source.watch.bind(source) } : {}),
      ...(source.listNamed ? { listNamed: source.listNamed.bind(source) } : {}),
      readHeaders: (name) => source.readHeaders(name),
      async upload(name, store, blobName, onProgress, signal, options) {
        if (!held.has(name))
          return source.upload(name, store, blobName, onProgress, signal, options);
        const outcome = await source.upload(name, store, blobName, onProgress, undefined, options);
        entered();
        await gate;
        return outcome;
      },
    });
    const harness = (h = await engineHarness(undefined, { wrapSource }));
    await harness.arrive(chain('RestoreTimeClean.bak'));
    const migration = await harness.create();
    await harness.until(migration.id, (_, files) =>
      files.some((f) => f.fileName === 'RestoreTimeClean.bak' && f.status === 'Restored'),
    );

    held.add('RestoreTimeClean2.bak');
    await harness.arrive(chain('RestoreTimeClean2.bak'));
    await harness.engine.tick(migration.id); // starts its upload, which is held
    await within(inGate, 10_000, 'the held upload');
    await harness.engine.cancel(migration.id, migration.migrationOperationId);
    // The cancel's turn begins and waits for the upload; only then does the upload finish.
    const cancelTurn = harness.engine.tick(migration.id);
    await sleep(50);
    release();
    await within(cancelTurn, 10_000, 'the cancel');
    const [ended, files] = await harness.read(migration.id);
    expect(ended.migrationStatus).toBe('Canceled');
    expect(files.find((f) => f.fileName === 'RestoreTimeClean2.bak')?.status).toBe('Canceled');
    expect(await harness.target.databaseExists('Sales')).toBe(false);
  });
});
