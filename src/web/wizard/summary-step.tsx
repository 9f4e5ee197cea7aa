/**
 * Page 8: everything entered, the target checked for each database as the start would, the passwords
 * the start needs (asked again if the session was resumed), and "Start migration": one migration per
 * database, each then followed on the dashboard.
 */
import { useId, useState } from 'react';

import type { CheckTargetResponse, SessionStartOutcome } from '../../api-contract/index.js';
import type { ApiRequestError } from '../api/api-client.js';
import { ErrorMessage } from '../shell/error-message.js';
import { Link, pathOf } from '../shell/router.js';
import { CheckList } from './check-list.js';
import type { StepProps } from './step-props.js';
import { missingOn, stepOrder, stepTitles } from './wizard-steps.js';

const targetNames: Readonly<Record<string, string>> = {
  SqlMi: 'Azure SQL Managed Instance',
  SqlVm: 'SQL Server',
  Rehearsal: 'Rehearsal',
};

export function SummaryStep({ session, steps, secrets, setSecret, calls, onSession }: StepProps) {
  const id = useId();
  const [checks, setChecks] = useState<Record<string, CheckTargetResponse>>({});
  const [outcomes, setOutcomes] = useState<readonly SessionStartOutcome[]>(session.started);
  const [error, setError] = useState<{ what: string; error: ApiRequestError } | null>(null);
  const [busy, setBusy] = useState(false);
  const { source, target, backup, runtime, sku } = steps;
  const databases = backup?.databases ?? [];
  const missing = stepOrder
    .map((s) => ({ step: s, problem: missingOn(s, steps) }))
    .filter((m) => m.problem !== null);
  const needsSharePassword =
    backup?.location === 'fileShare' && Boolean(backup.fileShare?.username);
  const started = session.status === 'Started';

  const checkTargets = async () => {
    setBusy(true);
    setError(null);
    try {
      const found: Record<string, CheckTargetResponse> = {};
      for (const db of databases) found[db.targetDbName] = await calls.checkTarget(db.targetDbName);
      setChecks(found);
    } catch (failure) {
      setError({ what: 'Check the target', error: failure as ApiRequestError });
    } finally {
      setBusy(false);
    }
  };
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      // Entries edited on this page's way here are saved first, so the start uses them.
      const saved = await calls.saveSession(session, steps, 'summary');
      const result = await calls.startSession(saved, {
        ...(needsSharePassword ? { sharePassword: secrets.sharePassword } : {}),
      });
      setOutcomes(result.migrations);
      onSession(result.session);
    } catch (failure) {
      setError({ what: 'Start', error: failure as ApiRequestError });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <dl className="summary">
        <dt>Source</dt>
        <dd>
          {source?.mode === 'connection' && source.connection
            ? `${source.connection.dataSource} as ${source.connection.userName ?? ''}`
            : 'No connection (backups only)'}
        </dd>
        <dt>Sizing</dt>
        <dd>
          {sku
            ? `${sku.percentile}th percentile, scaling ${sku.scalingFactorPercent}%${sku.perfDataFolder ? `, data in ${sku.perfDataFolder}` : ''}`
            : 'Not asked'}
        </dd>
        <dt>Target</dt>
        <dd>{target ? `${targetNames[target.kind] ?? target.kind}: ${target.scope}` : '–'}</dd>
        <dt>Mode</dt>
        <dd>
          {backup?.mode === 'offline'
            ? 'Offline (cut over after the last backup)'
            : 'Online (you cut over)'}
        </dd>
        <dt>Backups</dt>
        <dd>
          {backup?.location === 'azureBlob'
            ? 'A blob container'
            : `A folder or share${backup?.fileShare?.username ? `, as ${backup.fileShare.username}` : ''}`}
        </dd>
        <dt>Migration service</dt>
        <dd>{runtime?.serviceName ?? '–'}</dd>
      </dl>
      <table>
        <caption>Databases</caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Target name</th>
            <th scope="col">Backups</th>
            {backup?.mode === 'offline' ? <th scope="col">Last backup</th> : null}
          </tr>
        </thead>
        <tbody>
          {databases.map((db) => (
            <tr key={db.sourceDatabaseName}>
              <td>{db.sourceDatabaseName}</td>
              <td>{db.targetDbName}</td>
              <td className="mono">{db.backupFolder ?? db.blobFolder}</td>
              {backup?.mode === 'offline' ? <td>{db.lastBackupName ?? 'the last found'}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {missing.length > 0 ? (
        <div className="error" role="alert">
          Not ready to start:
          <ul>
            {missing.map((m) => (
              <li key={m.step}>
                {stepTitles[m.step]}: {m.problem}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p>
        <button
          type="button"
          disabled={busy || databases.length === 0}
          onClick={() => void checkTargets()}
        >
          Check the target
        </button>
      </p>
      {Object.entries(checks).map(([name, result]) => (
        <CheckList
          key={name}
          label={`Target checks for ${name}`}
          checks={result.checks.map((c) => ({
            name: `${name}: ${c.check}`,
            status: c.status,
            message: c.message,
          }))}
        />
      ))}
      {needsSharePassword && !started ? (
        <div className="form-grid">
          <label htmlFor={`${id}-share`}>Share password</label>
          <div>
            <input
              id={`${id}-share`}
              type="password"
              autoComplete="new-password"
              value={secrets.sharePassword}
              onChange={(e) => {
                setSecret('sharePassword', e.target.value);
              }}
            />
            <p className="hint">Not saved in the session; sealed into the migrations.</p>
          </div>
        </div>
      ) : null}
      {error ? <ErrorMessage error={error.error} title={error.what} /> : null}
      {!started ? (
        <p>
          <button
            type="button"
            className="primary"
            disabled={busy || missing.length > 0 || (needsSharePassword && !secrets.sharePassword)}
            onClick={() => void start()}
          >
            {busy
              ? 'Starting…'
              : `Start ${databases.length === 1 ? 'the migration' : `${databases.length} migrations`}`}
          </button>
        </p>
      ) : null}
      {outcomes.length > 0 ? (
        <section aria-label="Started migrations">
          <h3>Migrations</h3>
          <ul className="outcomes">
            {outcomes.map((o) => (
              <li key={o.targetDbName} className={`outcome outcome-${o.outcome.toLowerCase()}`}>
                <strong>{o.sourceDatabaseName}</strong> → {o.targetDbName}:{' '}
                {o.outcome === 'Failed' ? (
                  <>
                    not started — <code>{o.error?.code}</code> {o.error?.message}
                  </>
                ) : (
                  <>
                    {o.outcome === 'Started' ? 'started' : 'started earlier'}.{' '}
                    <Link to={pathOf('migrations', o.serviceName, o.targetDbName)}>
                      Follow {o.targetDbName}
                    </Link>
                  </>
                )}
              </li>
            ))}
          </ul>
          {started ? (
            <p>
              <Link to="/">Go to the dashboard</Link>
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
