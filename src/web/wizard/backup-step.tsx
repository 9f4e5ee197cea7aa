/**
 * Page 6: the migration mode (online: you cut over; offline: cut over after the last backup) and the
 * backup location — a folder or network share (with its account; the password is held in memory
 * only) or a blob container that already holds the backups — with each database's folder, target
 * name and, offline, its last backup file.
 */
import { useEffect, useId } from 'react';

import type { DatabaseMapping, SessionSteps } from '../../api-contract/index.js';
import { NotAvailable } from './check-list.js';
import type { StepProps } from './step-props.js';

type Backup = NonNullable<SessionSteps['backup']>;

export function BackupStep({ steps, change, secrets, setSecret }: StepProps) {
  const id = useId();
  const selected = steps.databases?.selected ?? [];
  const backup: Backup = steps.backup ?? {
    mode: 'online',
    location: 'fileShare',
    fileShare: {},
    databases: [],
  };
  const edit = (over: Partial<Backup>) => {
    change('backup', { ...backup, ...over });
  };

  // One row per chosen database, keeping what was entered for those still chosen.
  const rows: DatabaseMapping[] = selected.map(
    (name) =>
      backup.databases.find((d) => d.sourceDatabaseName === name) ?? {
        sourceDatabaseName: name,
        targetDbName: name,
        backupFolder: '',
      },
  );
  const stale =
    rows.length !== backup.databases.length || rows.some((r, i) => r !== backup.databases[i]);
  useEffect(() => {
    if (stale) change('backup', { ...backup, databases: rows });
  });
  const editRow = (index: number, over: Partial<DatabaseMapping>) => {
    edit({ databases: rows.map((r, i) => (i === index ? { ...r, ...over } : r)) });
  };
  const share = backup.location === 'fileShare';

  return (
    <>
      <fieldset>
        <legend>Migration mode</legend>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={backup.mode === 'online'}
            onChange={() => {
              edit({ mode: 'online' });
            }}
          />
          Online: logs are restored as they arrive; you cut over when ready (minimal downtime)
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={backup.mode === 'offline'}
            onChange={() => {
              edit({ mode: 'offline' });
            }}
          />
          Offline: cut over automatically once the last backup is restored
        </label>
      </fieldset>
      <fieldset>
        <legend>Backup location</legend>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-location`}
            checked={share}
            onChange={() => {
              edit({ location: 'fileShare' });
            }}
          />
          A folder or network share (uploaded to the service’s storage)
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-location`}
            checked={!share}
            onChange={() => {
              edit({ location: 'azureBlob' });
            }}
          />
          A blob container that already holds the backups
        </label>
      </fieldset>
      {share ? (
        <div className="form-grid">
          <label htmlFor={`${id}-user`}>Share account</label>
          <div>
            <input
              id={`${id}-user`}
              value={backup.fileShare?.username ?? ''}
              autoComplete="off"
              placeholder="CONTOSO\svc-backup (empty for a local folder)"
              onChange={(e) => {
                edit({ fileShare: e.target.value ? { username: e.target.value } : {} });
              }}
            />
          </div>
          <label htmlFor={`${id}-password`}>Share password</label>
          <div>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="new-password"
              value={secrets.sharePassword}
              disabled={!backup.fileShare?.username}
              aria-describedby={`${id}-password-hint`}
              onChange={(e) => {
                setSecret('sharePassword', e.target.value);
              }}
            />
            <p id={`${id}-password-hint`} className="hint">
              Never saved in the session: asked again on resume, and sealed into the migrations at
              the start.
            </p>
          </div>
        </div>
      ) : (
        <NotAvailable message="this service reads backups from a folder or share and uploads them itself; backups already in a blob container cannot be started here yet." />
      )}
      <table className="mapping">
        <caption>Each database</caption>
        <thead>
          <tr>
            <th scope="col">Source database</th>
            <th scope="col">Target database name</th>
            <th scope="col">{share ? 'Backup folder (this database’s only)' : 'Blob folder'}</th>
            {backup.mode === 'offline' ? <th scope="col">Last backup file (optional)</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={row.sourceDatabaseName}>
              <th scope="row">{row.sourceDatabaseName}</th>
              <td>
                <input
                  aria-label={`Target name of ${row.sourceDatabaseName}`}
                  value={row.targetDbName}
                  onChange={(e) => {
                    editRow(i, { targetDbName: e.target.value });
                  }}
                />
              </td>
              <td>
                <input
                  className="wide"
                  aria-label={`Backup folder of ${row.sourceDatabaseName}`}
                  value={(share ? row.backupFolder : row.blobFolder) ?? ''}
                  placeholder={share ? '/backups/Sales or \\\\host\\share\\Sales' : 'Sales'}
                  onChange={(e) => {
                    editRow(
                      i,
                      share ? { backupFolder: e.target.value } : { blobFolder: e.target.value },
                    );
                  }}
                />
              </td>
              {backup.mode === 'offline' ? (
                <td>
                  <input
                    aria-label={`Last backup file of ${row.sourceDatabaseName}`}
                    value={row.lastBackupName ?? ''}
                    placeholder="default: the last of the chain found"
                    onChange={(e) => {
                      editRow(
                        i,
                        e.target.value
                          ? { lastBackupName: e.target.value }
                          : { lastBackupName: undefined },
                      );
                    }}
                  />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
