import type { MigrationEngine } from '../engine/index.js';
import type {
  BackupLocation,
  TestConnectionResult,
  UploadStorage,
} from '../../runtime-protocol/index.js';
import type { TargetCheck } from '../../targets/index.js';
import type { WorkQueue } from '../runtime-hub/index.js';
import type { PerfCollections, SourceConnector } from '../source-server/index.js';
import type { SealedSecret, StateStore } from '../state/index.js';

/** What the HTTP API needs from the rest of the service. */
export interface ApiContext {
  readonly store: StateStore;
  readonly engine: MigrationEngine;
  readonly secrets: { seal(plain: string): SealedSecret; open(sealed: SealedSecret): string };
  /** The bearer token every request must carry (compared in constant time). */
  readonly token: string;
  /** The kind of target this deployment restores to, and what the user sees of it. */
  readonly target: { readonly kind: 'Rehearsal' | 'SqlMi' | 'SqlVm'; readonly scope: string };
  readonly now: () => Date;
  /** A node not seen for this long is Offline. */
  readonly nodeOfflineAfterMs: number;
  /** How often registered nodes are asked to send a heartbeat. */
  readonly nodeHeartbeatIntervalMs: number;
  /** The jobs of the services' integration runtime nodes. */
  readonly runtimeWork: WorkQueue;
  /**
   * The checks a start of a restore into `databaseName` would make, made alone (`sqlmig target
   * check`): the target's own, or whether the name is free.
   */
  readonly checkTarget: (databaseName: string) => Promise<TargetCheck[]>;
  /** Where runtime nodes upload (for their connection test). */
  readonly storageForNodes: () => UploadStorage;
  /**
   * The connection test of a runtime that takes no jobs (the embedded service's own, reading local
   * folders), run in process; null when a node must run it. Absent: nodes run every test.
   */
  readonly testInProcess?: (
    serviceName: string,
    location: BackupLocation,
  ) => Promise<TestConnectionResult> | null;
  /** The web app's built bundle, served at `/` (`dist/web`); absent or null: a page says it is not built. */
  readonly webRoot?: string | null;
  /** Opens connections to a source SQL Server (the wizard's checks); absent: those calls say so. */
  readonly connectSource?: SourceConnector;
  /** The wizard's performance collections; default: made over `connectSource` with sqlmig's intervals. */
  readonly perfCollections?: PerfCollections;
}
