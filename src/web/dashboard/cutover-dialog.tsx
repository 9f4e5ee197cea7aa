/**
 * Cutover, as the reference asks for it: the checklist (full restored, no log backup pending,
 * nothing blocking the restore; writes to the source stopped and a final tail-log backup taken),
 * the count of log backups still pending, and a confirmation box. The service decides: a refusal
 * is shown with its reason, word for word.
 */
import { useState } from 'react';

import type { MigrationResource } from '../../api-contract/index.js';
import { ApiRequestError } from '../api/api-client.js';
import { useApi } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { ModalDialog } from '../shell/modal-dialog.js';

export function CutoverDialog({
  migration,
  serviceName,
  open,
  onClose,
  onDone,
}: {
  migration: MigrationResource;
  serviceName: string;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const api = useApi();
  const [confirmed, setConfirmed] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const details = migration.properties.migrationStatusDetails;
  const pending = details?.pendingLogBackupsCount ?? 0;
  const checks: readonly { done: boolean | null; text: string }[] = [
    { done: details?.isFullBackupRestored ?? false, text: 'The full backup is restored' },
    {
      done: pending === 0,
      text:
        pending === 0
          ? 'No log backup is pending'
          : `${pending} log backup(s) are not restored yet`,
    },
    {
      done: !details?.restoreBlockingReason,
      text: details?.restoreBlockingReason
        ? `Something blocks the restore: ${details.restoreBlockingReason}`
        : 'Nothing blocks the restore',
    },
    { done: null, text: 'Writes to the source database are stopped (the application is down)' },
    {
      done: null,
      text: 'A final tail-log backup was taken (BACKUP LOG … WITH NORECOVERY) into the backup folder, and shows Restored here',
    },
  ];
  const close = () => {
    setConfirmed(false);
    setError(null);
    onClose();
  };
  const send = () => {
    setSending(true);
    setError(null);
    api
      .cutover(serviceName, migration.name, migration.properties.migrationOperationId)
      .then(() => {
        setSending(false);
        setConfirmed(false);
        onDone();
      })
      .catch((failure: unknown) => {
        setSending(false);
        setError(
          failure instanceof ApiRequestError
            ? failure
            : new ApiRequestError(0, 'ClientError', String(failure)),
        );
      });
  };
  return (
    <ModalDialog open={open} title={`Cut over ${migration.name}`} onClose={close}>
      <p>
        Cutover brings <strong>{migration.name}</strong> online on the target: no more log backup is
        applied after it.
      </p>
      <p className="pending-count" data-testid="pending-logs">
        Log backups pending: <strong>{pending}</strong>
      </p>
      <ul className="checklist">
        {checks.map((check) => (
          <li
            key={check.text}
            className={check.done === null ? 'check-manual' : check.done ? 'check-ok' : 'check-bad'}
          >
            <span className="check-mark" aria-hidden="true">
              {check.done === null ? '☐' : check.done ? '✓' : '✗'}
            </span>{' '}
            <span className="visually-hidden">
              {check.done === null ? 'You confirm:' : check.done ? 'Done:' : 'Not yet:'}
            </span>{' '}
            {check.text}
          </li>
        ))}
      </ul>
      <label className="confirm">
        <input
          type="checkbox"
          checked={confirmed}
          onChange={(e) => {
            setConfirmed(e.target.checked);
          }}
        />{' '}
        I stopped writes to the source and its tail-log backup is restored: cut over now.
      </label>
      {error ? <ErrorMessage error={error} title="The service refused the cutover" /> : null}
      <div className="dialog-buttons">
        <button type="button" className="primary" disabled={!confirmed || sending} onClick={send}>
          {sending ? 'Cutting over…' : 'Cut over'}
        </button>
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
