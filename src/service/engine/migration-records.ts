/**
 * The engine's writes to the state store: a migration or file record changes together with the event
 * that says why, in one transaction, and every write names the version it read (a conflicting write
 * fails instead of overwriting). Each step of the engine goes through here, so what a restarted
 * process finds in the store is always a state some step left it in.
 */
import {
  StateConflictError,
  type FileRecord,
  type FileStatus,
  type MigrationRecord,
  type MigrationStatus,
  type StateStore,
  type StateTransaction,
} from '../state/index.js';

import type { Clock } from './clock.js';
import { asDocument, fileDocument, type FileDocument } from './documents.js';
import { EngineError } from './errors.js';
import { canMove } from './transitions.js';

export class MigrationRecords {
  readonly #store: StateStore;
  readonly #clock: Clock;
  /**
   * Migrations the engine is driving (`hold`): their record as last read or written here. The engine
   * is their only writer (cutover and cancel go through it), so a tick need not read the store to
   * know its migration; a write that meets another version forgets it, and the next read goes to
   * the store.
   */
  readonly #held = new Map<string, MigrationRecord | null>();

  constructor(store: StateStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The store itself, for reads and writes that are not a step (creating, listing). */
  get store(): StateStore {
    return this.#store;
  }

  now(): string {
    return this.#clock.now().toISOString();
  }

  async load(id: string): Promise<[MigrationRecord, FileRecord[]]> {
    return this.#store.transaction(async (tx) => {
      const migration = await tx.getMigration(id);
      if (!migration) throw new EngineError('MigrationNotFound', `There is no migration ${id}.`);
      return [migration, await tx.listFiles(id)];
    });
  }

  /** The migration record alone (from memory when held and known). */
  async migration(id: string): Promise<MigrationRecord> {
    const held = this.#held.get(id);
    if (held) return held;
    const migration = await this.#store.transaction((tx) => tx.getMigration(id));
    if (!migration) throw new EngineError('MigrationNotFound', `There is no migration ${id}.`);
    if (this.#held.has(id)) this.#held.set(id, migration);
    return migration;
  }

  /** The engine drives this migration from now on: its record is kept in memory. */
  hold(id: string): void {
    if (!this.#held.has(id)) this.#held.set(id, null);
  }

  /** The engine no longer drives it (it ended, or the engine stops). */
  release(id: string): void {
    this.#held.delete(id);
  }

  files(id: string): Promise<FileRecord[]> {
    return this.#store.transaction((tx) => tx.listFiles(id));
  }

  /** Moves the migration to another status (refused unless `transitions.ts` allows it). */
  async move(
    migration: MigrationRecord,
    to: MigrationStatus,
    message: string,
    changes: Partial<MigrationRecord>,
  ): Promise<MigrationRecord> {
    if (!canMove(migration.migrationStatus, to)) {
      throw new Error(
        `Migration ${migration.id} cannot move from ${migration.migrationStatus} to ${to}.`,
      );
    }
    return this.save(migration, { ...changes, migrationStatus: to }, to, message);
  }

  /**
   * Writes the migration's changes, with an event of `kind` when both it and `message` are given
   * (its data: the status, and `data`).
   */
  async save(
    migration: MigrationRecord,
    changes: Partial<MigrationRecord>,
    kind: string | null,
    message: string | null,
    data: Readonly<Record<string, unknown>> = {},
  ): Promise<MigrationRecord> {
    try {
      const saved = await this.#store.transaction(async (tx) => {
        const { version, ...rest } = migration;
        const record = await tx.putMigration({ ...rest, ...changes }, version);
        if (kind && message)
          await this.#event(tx, migration.id, kind, message, {
            ...data,
            status: record.migrationStatus,
          });
        return record;
      });
      if (this.#held.has(saved.id)) this.#held.set(saved.id, saved);
      return saved;
    } catch (error) {
      // A conflict, or a write whose outcome is unknown: the next read goes to the store.
      if (this.#held.has(migration.id)) this.#held.set(migration.id, null);
      throw error;
    }
  }

  /** Records an event on its own. */
  async event(
    migrationId: string,
    kind: string,
    message: string,
    data: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    await this.#store.transaction((tx) => this.#event(tx, migrationId, kind, message, data));
  }

  /**
   * Writes a file record (`previous` null: a new file), its document patched. With a message, an
   * event: `File<Status>` when the status changes, `FileUpdated` when it does not.
   */
  async putFile(
    migrationId: string,
    fileName: string,
    status: FileStatus,
    previous: FileRecord | null,
    patch: Partial<FileDocument>,
    message: string | null,
  ): Promise<FileRecord> {
    return this.#store.transaction(async (tx) => {
      const doc = {
        ...(previous
          ? fileDocument(previous)
          : fileDocument({ migrationId, fileName, status, document: {}, version: 0 })),
        ...patch,
      };
      const saved = await tx.putFile(
        { migrationId, fileName, status, document: asDocument(doc) },
        previous?.version ?? 0,
      );
      if (message && previous?.status !== status)
        await this.#event(tx, migrationId, `File${status}`, message, {
          file: fileName,
          from: previous?.status ?? null,
          to: status,
        });
      else if (message)
        await this.#event(tx, migrationId, 'FileUpdated', message, { file: fileName });
      return saved;
    });
  }

  async #event(
    tx: StateTransaction,
    migrationId: string,
    kind: string,
    message: string,
    data: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    await tx.appendEvent({ migrationId, at: this.now(), kind, message, data });
  }
}

/**
 * A user's action reads the migration and writes it back; another process sharing the store may
 * write in between. The action is checked again on what is there now (a few times, then the
 * conflict is reported).
 */
export async function retryOnConflict<T>(action: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof StateConflictError) || attempt >= attempts) throw error;
    }
  }
}
