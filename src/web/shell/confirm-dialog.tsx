/**
 * A modal question before an action that cannot be undone: what it does, the service's refusal if
 * it refused, the action (a danger button, disabled while it runs) and a way out.
 */
import type { ReactNode } from 'react';

import type { ApiRequestError } from '../api/api-client.js';
import { ErrorMessage } from './error-message.js';
import { ModalDialog } from './modal-dialog.js';

export function ConfirmDialog({
  open,
  title,
  children,
  error,
  busy,
  confirmLabel,
  keepLabel,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  /** What the action does. */
  children: ReactNode;
  error: ApiRequestError | null;
  busy: boolean;
  confirmLabel: string;
  keepLabel: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <ModalDialog open={open} title={title} onClose={onClose}>
      {children}
      {error ? <ErrorMessage error={error} title="The service refused" /> : null}
      <div className="dialog-buttons">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" onClick={onClose}>
          {keepLabel}
        </button>
      </div>
    </ModalDialog>
  );
}
