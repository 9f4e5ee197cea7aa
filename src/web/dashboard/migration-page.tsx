/**
 * One migration, live (refreshed every 2 s): what it moves from where to where, its status with
 * every warning the service gives, the full backup, the last applied file and LSN, the file being
 * restored, log backups pending, the restore chain drawn, the table of backup files, its recent
 * events, and its actions.
 */
import { useMemo, type ReactNode } from 'react';

import type { MigrationResource } from '../../api-contract/index.js';
import { useResource } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { Link } from '../shell/router.js';
import { BackupFilesTable } from './backup-files-table.js';
import { chainLayout } from './chain-layout.js';
import { formatTime } from './format.js';
import { MigrationActions } from './migration-actions.js';
import { RestoreChain } from './restore-chain.js';
import { StatusBadge, statusLabel } from './status-badge.js';

const refreshMs = 2000;

export function MigrationPage({
  serviceName,
  targetDbName,
}: {
  serviceName: string;
  targetDbName: string;
}) {
  const key = `${serviceName}/${targetDbName}`;
  const migration = useResource(
    key,
    (api) => api.getMigration(serviceName, targetDbName),
    refreshMs,
  );
  const events = useResource(
    `${key}/events`,
    (api) => api.events(serviceName, targetDbName),
    refreshMs * 2,
  );
  const m = migration.data;
  const details = m?.properties.migrationStatusDetails;
  const chain = useMemo(() => (details ? chainLayout(details) : []), [details]);

  return (
    <section aria-labelledby="migration-title">
      <p className="breadcrumb">
        <Link to="/">Migrations</Link> / {serviceName}
      </p>
      <div className="page-head">
        <h1 id="migration-title">{targetDbName}</h1>
        {m ? <StatusBadge status={m.properties.migrationStatus} /> : null}
        {m && details && details.migrationState !== m.properties.migrationStatus ? (
          <span className="muted">{statusLabel(details.migrationState)}</span>
        ) : null}
      </div>
      {migration.error ? (
        <ErrorMessage
          error={migration.error}
          title={m ? 'The latest refresh failed' : 'The migration could not be loaded'}
        />
      ) : null}
      {!m && !migration.error ? <p className="muted">Loading…</p> : null}
      {m ? (
        <>
          <MigrationActions
            migration={m}
            serviceName={serviceName}
            onChanged={() => {
              migration.refresh();
              events.refresh();
            }}
          />
          <Warnings migration={m} />
          <Facts migration={m} />
          <h2>Restore chain</h2>
          {details ? <RestoreChain chain={chain} invalidFiles={details.invalidFiles} /> : null}
          <h2>Backup files</h2>
          {details ? <BackupFilesTable chain={chain} invalidFiles={details.invalidFiles} /> : null}
          <h2>Recent events</h2>
          {events.error ? <ErrorMessage error={events.error} /> : null}
          <ol className="events" reversed>
            {(events.data?.value ?? [])
              .slice(-12)
              .reverse()
              .map((e) => (
                <li key={e.sequence}>
                  <time dateTime={e.at}>{formatTime(e.at)}</time> <code>{e.kind}</code> {e.message}
                </li>
              ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

/** Every problem the service reports on the migration, each in its own words. */
function Warnings({ migration }: { migration: MigrationResource }) {
  const p = migration.properties;
  const d = p.migrationStatusDetails;
  const items: { key: string; title: string; text: string; severity: 'bad' | 'warn' }[] = [];
  if (p.migrationFailureError)
    items.push({
      key: 'failure',
      title: `Failed: ${p.migrationFailureError.code}`,
      text: p.migrationFailureError.message,
      severity: 'bad',
    });
  if (d?.restoreBlockingReason)
    items.push({
      key: 'blocking',
      title: 'The restore is blocked',
      text: d.restoreBlockingReason,
      severity: 'warn',
    });
  if (d?.completeRestoreErrorMessage)
    items.push({
      key: 'complete',
      title: 'Cutover failed',
      text: d.completeRestoreErrorMessage,
      severity: 'bad',
    });
  for (const [i, text] of (d?.fileUploadBlockingErrors ?? []).entries())
    items.push({ key: `upload-${i}`, title: 'Uploads are blocked', text, severity: 'warn' });
  if (items.length === 0) return null;
  return (
    <ul className="warnings" aria-label="Warnings">
      {items.map((item) => (
        <li key={item.key} className={`warning warning-${item.severity}`}>
          <strong>{item.title}.</strong> {item.text}
        </li>
      ))}
    </ul>
  );
}

function Facts({ migration }: { migration: MigrationResource }) {
  const p = migration.properties;
  const d = p.migrationStatusDetails;
  const config = p.configuration as {
    backupConfiguration?: { sourceLocation?: { fileShare?: { path?: string; username?: string } } };
    offlineConfiguration?: { offline?: boolean; lastBackupName?: string };
    sourceSqlConnection?: { dataSource?: string };
  };
  const share = config.backupConfiguration?.sourceLocation?.fileShare;
  const offline = config.offlineConfiguration?.offline ?? false;
  const fullFiles = d?.fullBackupSetInfo?.listOfBackupFiles ?? [];
  const lastSet = d?.lastRestoredBackupSetInfo;
  const rows: [string, ReactNode][] = [
    [
      'Source',
      <>
        <strong>{p.sourceDatabaseName}</strong>
        {config.sourceSqlConnection?.dataSource
          ? ` on ${config.sourceSqlConnection.dataSource}`
          : ''}
      </>,
    ],
    [
      'Backup folder',
      <>
        <code>{share?.path ?? '—'}</code>
        {share?.username ? ` (as ${share.username})` : ''}
      </>,
    ],
    [
      'Target',
      <>
        <strong>{migration.name}</strong> on {p.kind} <span className="muted">— {p.scope}</span>
      </>,
    ],
    [
      'Mode',
      offline
        ? `Offline${config.offlineConfiguration?.lastBackupName ? `, last backup ${config.offlineConfiguration.lastBackupName}` : ''}`
        : 'Online (you cut over)',
    ],
    [
      'Full backup',
      fullFiles.length > 0 ? (
        <>
          <code>{fullFiles.map((f) => f.fileName).join(', ')}</code>{' '}
          {d?.isFullBackupRestored ? '(restored)' : '(not restored yet)'}
        </>
      ) : (
        'None yet'
      ),
    ],
    [
      'Last applied',
      d?.lastRestoredFilename ? (
        <>
          <code>{d.lastRestoredFilename}</code>
          {lastSet?.lastLSN ? (
            <>
              {' '}
              up to LSN <code>{lastSet.lastLSN}</code>
            </>
          ) : null}
        </>
      ) : (
        'Nothing restored yet'
      ),
    ],
    [
      'Restoring now',
      d?.currentRestoringFilename ? <code>{d.currentRestoringFilename}</code> : 'Nothing',
    ],
    ['Log backups pending', <strong key="pending">{d?.pendingLogBackupsCount ?? 0}</strong>],
    ['Started', formatTime(p.startedOn)],
    ['Ended', formatTime(p.endedOn)],
    ['Operation id', <code key="op">{p.migrationOperationId}</code>],
  ];
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <div key={term} data-fact={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
