/**
 * The table of a migration's backup files, in restore-chain order: name, backup type, status (with
 * the ignore reason), data uploaded of the size, throughput, the set's start time, first and last LSN.
 */
import type { MigrationStatusDetails } from '../../api-contract/index.js';
import type { ChainItem } from './chain-layout.js';
import { formatBytes, formatThroughput, formatTime, percent } from './format.js';
import { StatusBadge } from './status-badge.js';

export function BackupFilesTable({
  chain,
  invalidFiles,
}: {
  chain: readonly ChainItem[];
  invalidFiles: MigrationStatusDetails['invalidFiles'];
}) {
  const listed = new Set<string>();
  const rows = chain.flatMap(({ set }) =>
    [...set.listOfBackupFiles]
      .sort((a, b) => (a.familySequenceNumber ?? 0) - (b.familySequenceNumber ?? 0))
      .map((file) => {
        listed.add(file.fileName);
        return { set, file };
      }),
  );
  const unreadable = invalidFiles.filter((f) => !listed.has(f.fileName));
  if (rows.length === 0 && unreadable.length === 0)
    return <p className="muted">No backup file has arrived in the folder yet.</p>;
  return (
    <div className="table-scroll">
      <table className="backup-files">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col" className="number">
              Uploaded / size
            </th>
            <th scope="col" className="number">
              Throughput
            </th>
            <th scope="col">Backup started</th>
            <th scope="col" className="number">
              First LSN
            </th>
            <th scope="col" className="number">
              Last LSN
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ set, file }) => (
            <tr key={file.fileName} data-file={file.fileName}>
              <th scope="row" className="mono file-name">
                {file.fileName}
                {set.familyCount && set.familyCount > 1 ? (
                  <span className="muted">
                    {' '}
                    (stripe {file.familySequenceNumber ?? '?'} of {set.familyCount})
                  </span>
                ) : null}
              </th>
              <td>{set.backupType ?? '—'}</td>
              <td>
                <StatusBadge status={file.status} />
                {file.ignoreReason ? (
                  <div className="cell-note">
                    <code>{file.ignoreReason}</code>
                  </div>
                ) : null}
                {file.message ? <div className="cell-note">{file.message}</div> : null}
              </td>
              <td className="number">
                {formatBytes(file.dataWritten)} / {formatBytes(file.totalSize)}
                <div
                  className="meter"
                  role="meter"
                  aria-label={`${file.fileName} uploaded`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent(file.dataWritten, file.totalSize)}
                >
                  <span style={{ width: `${percent(file.dataWritten, file.totalSize)}%` }} />
                </div>
              </td>
              <td className="number">{formatThroughput(file.copyThroughput)}</td>
              <td>{formatTime(set.backupStartDate)}</td>
              <td className="number mono">{set.firstLSN ?? '—'}</td>
              <td className="number mono">{set.lastLSN ?? '—'}</td>
            </tr>
          ))}
          {unreadable.map((file) => (
            <tr key={file.fileName} data-file={file.fileName}>
              <th scope="row" className="mono file-name">
                {file.fileName}
              </th>
              <td>—</td>
              <td>
                <StatusBadge status="Ignored" />
                <div className="cell-note">
                  <code>{file.reason}</code>
                  {file.message ? ` ${file.message}` : null}
                </div>
              </td>
              <td className="number">—</td>
              <td className="number">—</td>
              <td>—</td>
              <td className="number">—</td>
              <td className="number">—</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
