/**
 * A status as a coloured badge with its word (colour is never the only sign): migrations' statuses
 * and backup files' statuses share the palette.
 */
const tone: Readonly<Record<string, 'ok' | 'bad' | 'warn' | 'info' | 'idle'>> = {
  Succeeded: 'ok',
  Restored: 'ok',
  ReadyForCutover: 'ok',
  Failed: 'bad',
  Canceled: 'idle',
  Canceling: 'warn',
  Ignored: 'warn',
  Retriable: 'warn',
  Completing: 'info',
  InProgress: 'info',
  Creating: 'info',
  Restoring: 'info',
  Uploading: 'info',
  UploadingFullBackup: 'info',
  UploadingLogBackup: 'info',
  Uploaded: 'info',
  Arrived: 'idle',
};

/** "ReadyForCutover" → "Ready for cutover". */
export function statusLabel(status: string): string {
  const words = status.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${tone[status] ?? 'idle'}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
