/**
 * TEST SUPPORT — the HTTP API over an engine harness, as the embedded service wires it: sealed
 * secrets under a key in a temporary folder, a bearer token, the rehearsal target, and a work queue
 * for runtime nodes whose uploads go to the harness's blob folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi, type ApiContext } from '../../src/service/api/index.js';
import { WorkQueue, type WorkQueueOptions } from '../../src/service/runtime-hub/index.js';
import { createSecretBox, loadSecretKey } from '../../src/service/state/index.js';
import { checkRestoreTarget } from '../../src/targets/index.js';
import type { EngineHarness } from './engine-harness.js';

export interface ApiForTests {
  readonly app: ReturnType<typeof createApi>;
  readonly work: WorkQueue;
  close(): Promise<void>;
}

export async function apiForTests(
  h: EngineHarness,
  token: string,
  work: WorkQueueOptions = {},
  /** More of the context (a source connector, …). */
  extra: Partial<ApiContext> = {},
): Promise<ApiForTests> {
  const keyDir = await mkdtemp(join(tmpdir(), 'sqlmig-api-key-'));
  const secrets = createSecretBox(await loadSecretKey({ dataDir: keyDir, env: {} }));
  const queue = new WorkQueue(work);
  const app = createApi({
    store: h.store,
    engine: h.engine,
    secrets,
    token,
    target: { kind: 'Rehearsal', scope: 'rehearsal' },
    now: () => h.clock.now(),
    nodeOfflineAfterMs: 60_000,
    nodeHeartbeatIntervalMs: 10_000,
    storageForNodes: () => ({ kind: 'localFolder', path: h.blobsRoot }),
    runtimeWork: queue,
    checkTarget: (databaseName) =>
      checkRestoreTarget(h.target, { databaseName, folder: databaseName }),
    ...extra,
  });
  return {
    app,
    work: queue,
    async close() {
      queue.close();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}
