import type { FileResult } from '../../backup/index.js';
import type { BlobStore } from '../../storage/index.js';

/**
 * Where a migration's backups come from, as the engine sees it: the integration runtime's side. In the
 * embedded mode an in-process runtime reads a local folder; later, remote runtime nodes read SMB
 * shares and report through the API. The engine never touches the files itself.
 */
export interface BackupSource {
  /** The folder or share, for messages (no credentials). */
  readonly description: string;
  /**
   * The files under the folder, names relative to it with `/`. With `wanted`, only the files whose
   * name it accepts are looked at further (sized and dated) and returned: the engine asks only about
   * files it has not seen or that are still arriving.
   */
  list(wanted?: (name: string) => boolean): Promise<SourceFileInfo[]>;
  /**
   * Calls `onChange` when something in the folder may have changed, with the name of the folder's
   * entry concerned when known (else null); returns the function that stops watching. Optional, and a
   * hint only: events can be missed (network shares deliver none), so the engine lists the folder
   * periodically anyway.
   */
  watch?(onChange: (entry: string | null) => void): () => void;
  /**
   * The files among `entries` (entries of the folder itself, as `watch` names them), sized and dated
   * as `list` returns them; null when one is a subfolder (then the folder is listed). Optional: with
   * it, an event costs the files it names rather than a listing of the whole folder.
   */
  listNamed?(entries: readonly string[]): Promise<SourceFileInfo[] | null>;
  /** The file's backup headers (the backup reader's result for that file). */
  readHeaders(name: string): Promise<FileResult>;
  /**
   * Uploads the file into `store` as `blobName`, resuming from blocks already staged, and checks that
   * the bytes read match the file's size when it started. Calls `onProgress` as blocks are written.
   * Stops between two blocks, rejecting with the signal's reason, once `signal` is aborted (what is
   * staged stays, for the next attempt).
   */
  upload(
    name: string,
    store: BlobStore,
    blobName: string,
    onProgress: (progress: UploadProgress) => void,
    signal?: AbortSignal,
    options?: {
      /** Never uploaded before (no staged blocks, no committed blob to look for). */
      readonly firstAttempt?: boolean;
    },
  ): Promise<UploadOutcome>;
}

export interface SourceFileInfo {
  readonly name: string;
  readonly size: number;
  readonly modifiedAt: string;
}

export interface UploadProgress {
  readonly dataRead: number;
  readonly dataWritten: number;
}

export interface UploadOutcome extends UploadProgress {
  readonly durationMs: number;
  readonly contentMd5: string;
}
