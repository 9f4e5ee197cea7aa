/**
 * A migration's actions: cutover (online migrations, through its checklist dialog), cancel (the
 * target database is dropped), delete (once ended), and its details copied as JSON. Each failure is
 * the service's own answer.
 */
import { useState } from 'react';

import type { MigrationResource } from '../../api-contract/index.js';
import { ApiRequestError } from '../api/api-client.js';
import { useApi } from '../api/api-context.js';
import { ConfirmDialog } from '../shell/confirm-dialog.js';
import { navigate } from '../shell/router.js';
import { CutoverDialog } from './cutover-dialog.js';

const ended = new Set(['Succeeded', 'Failed', 'Canceled']);

export function MigrationActions({
  migration,
  serviceName,
  onChanged,
}: {
  migration: MigrationResource;
  serviceName: string;
  onChanged: () => void;
}) {
  const api = useApi();
  const [dialog, setDialog] = useState<'cutover' | 'cancel' | 'delete' | null>(null);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string>('');
  const p = migration.properties;
  const isEnded = ended.has(p.migrationStatus);
  const offline =
    (p.configuration['offlineConfiguration'] as { offline?: boolean } | undefined)?.offline ??
    false;

  const close = () => {
    setDialog(null);
  };
  const run = (work: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(null);
    work()
      .then(() => {
        setBusy(false);
        setDialog(null);
        after();
      })
      .catch((failure: unknown) => {
        setBusy(false);
        setError(
          failure instanceof ApiRequestError
            ? failure
            : new ApiRequestError(0, 'ClientError', String(failure)),
        );
      });
  };
  const copy = () => {
    const text = JSON.stringify(migration, null, 2);
    const done = () => {
      setCopied('Details copied as JSON.');
    };
    navigator.clipboard.writeText(text).then(done, (failure: unknown) => {
      setCopied(
        `The browser refused to copy (${failure instanceof Error ? failure.message : String(failure)}).`,
      );
    });
  };

  return (
    <div className="actions">
      <div className="action-buttons" role="toolbar" aria-label="Actions">
        {!offline && !isEnded ? (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setDialog('cutover');
            }}
          >
            Cutover…
          </button>
        ) : null}
        {!isEnded ? (
          <button
            type="button"
            className="danger"
            onClick={() => {
              setError(null);
              setDialog('cancel');
            }}
          >
            Cancel migration…
          </button>
        ) : (
          <button
            type="button"
            className="danger"
            onClick={() => {
              setError(null);
              setDialog('delete');
            }}
          >
            Delete…
          </button>
        )}
        <button type="button" onClick={copy}>
          Copy details as JSON
        </button>
        <span className="muted" role="status">
          {copied}
        </span>
      </div>
      {isEnded ? null : (
        <p className="muted small">
          {offline
            ? 'Offline migration: it cuts over by itself once the last backup is restored.'
            : 'Delete is possible once the migration has ended (cancel it first).'}
        </p>
      )}

      <CutoverDialog
        migration={migration}
        serviceName={serviceName}
        open={dialog === 'cutover'}
        onClose={close}
        onDone={() => {
          setDialog(null);
          onChanged();
        }}
      />
      <ConfirmDialog
        open={dialog === 'cancel'}
        title={`Cancel the migration to ${migration.name}?`}
        error={error}
        busy={busy}
        confirmLabel="Cancel the migration"
        keepLabel="Keep it running"
        onConfirm={() => {
          run(() => api.cancel(serviceName, migration.name, p.migrationOperationId), onChanged);
        }}
        onClose={close}
      >
        <p>
          Uploads and restores stop and the target database <strong>{migration.name}</strong> is
          dropped. The backups in the folder are not touched. This cannot be undone.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'delete'}
        title={`Delete the migration to ${migration.name}?`}
        error={error}
        busy={busy}
        confirmLabel="Delete"
        keepLabel="Keep it"
        onConfirm={() => {
          run(
            () => api.deleteMigration(serviceName, migration.name),
            () => {
              navigate('/');
            },
          );
        }}
        onClose={close}
      >
        <p>
          The migration&apos;s record and its history are removed from the service. The target
          database and the backups are not touched.
        </p>
      </ConfirmDialog>
    </div>
  );
}
