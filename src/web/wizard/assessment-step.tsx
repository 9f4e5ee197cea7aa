/**
 * Page 3: the assessment of the chosen databases for a Managed Instance — per database its readiness,
 * issues and warnings (those that block the restore first), the impacted objects and what to do — by
 * the service's live assessment. Advice: going on without it is allowed; each database's readiness
 * is saved with the session.
 */
import { useState } from 'react';

import type { SourceAssessment } from '../../api-contract/index.js';
import type { ApiRequestError } from '../api/api-client.js';
import { ErrorMessage } from '../shell/error-message.js';
import { SourcePasswordField } from './source-password-field.js';
import type { StepProps } from './step-props.js';
import { withPassword } from './wizard-steps.js';

type Server = SourceAssessment['servers'][number];
type Finding = Server['instanceFindings'][number];

const readinessText = {
  Ready: 'Ready',
  ReadyWithWarnings: 'Ready with warnings',
  NotReady: 'Not ready',
} as const;

export function AssessmentStep({ steps, change, secrets, setSecret, calls }: StepProps) {
  // Asked here when the page opens without it (a resumed session), and kept while typing.
  const [askPassword] = useState(secrets.sourcePassword === '');
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [report, setReport] = useState<SourceAssessment | null>(null);
  const [running, setRunning] = useState(false);
  const connection = steps.source?.mode === 'connection' ? steps.source.connection : undefined;
  const databases = steps.databases?.selected ?? [];

  if (!connection)
    return (
      <p className="notice" role="status">
        Skipped: the assessment reads the source instance, and this session has no connection to it.
        Assess the databases’ T-SQL with <code>sqlmig assess --scripts FOLDER</code> meanwhile.
      </p>
    );

  const assess = async () => {
    setRunning(true);
    setError(null);
    try {
      const found = await calls.assessSource(withPassword(connection, secrets), databases);
      setReport(found);
      const readiness: Record<string, Server['readiness']> = {};
      for (const db of found.servers.flatMap((s) => s.databases)) readiness[db.name] = db.readiness;
      change('assessment', { at: found.assessedAt, readiness });
    } catch (failure) {
      setError(failure as ApiRequestError);
    } finally {
      setRunning(false);
    }
  };
  const saved = steps.assessment;

  return (
    <>
      <p>
        Assess {databases.join(', ')} on {connection.dataSource} for Azure SQL Managed Instance
        (General Purpose): each finding with its rule, whether it blocks the restore, the impacted
        objects and what to do.
      </p>
      {askPassword ? (
        <SourcePasswordField steps={steps} secrets={secrets} setSecret={setSecret} />
      ) : null}
      <button type="button" disabled={running} onClick={() => void assess()}>
        {running ? 'Assessing…' : report ? 'Assess again' : 'Assess'}
      </button>
      {error ? <ErrorMessage error={error} title="Assessment" /> : null}
      {report ? (
        report.servers.map((server) => <ServerReport key={server.name} server={server} />)
      ) : saved ? (
        <p className="muted">
          Assessed {new Date(saved.at).toLocaleString()}:{' '}
          {Object.entries(saved.readiness)
            .map(([name, r]) => `${name} ${readinessText[r].toLowerCase()}`)
            .join(', ')}
          .
        </p>
      ) : null}
      <p className="hint">The assessment is advice: going on without it is allowed.</p>
    </>
  );
}

function ServerReport({ server }: { server: Server }) {
  return (
    <section aria-label={`Assessment of ${server.name}`}>
      <h3>
        {server.name}: <Readiness value={server.readiness} />
      </h3>
      {server.instance ? (
        <p className="muted">
          {server.instance.release} ({server.instance.productVersion}), {server.instance.edition}
        </p>
      ) : null}
      <table>
        <caption className="visually-hidden">Readiness per database</caption>
        <thead>
          <tr>
            <th scope="col">Database</th>
            <th scope="col">Readiness</th>
            <th scope="col" className="number">
              Blocking
            </th>
            <th scope="col" className="number">
              Issues
            </th>
            <th scope="col" className="number">
              Warnings
            </th>
          </tr>
        </thead>
        <tbody>
          {server.databases.map((db) => (
            <tr key={db.name}>
              <th scope="row">{db.name}</th>
              <td>
                <Readiness value={db.readiness} />
              </td>
              <td className="number">{db.counts.blocking}</td>
              <td className="number">{db.counts.issues}</td>
              <td className="number">{db.counts.warnings}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {server.instanceFindings.length > 0 ? (
        <Findings title="The instance" findings={server.instanceFindings} />
      ) : null}
      {server.databases.map((db) =>
        db.findings.length > 0 ? (
          <Findings key={db.name} title={db.name} findings={db.findings} />
        ) : null,
      )}
    </section>
  );
}

function Findings({ title, findings }: { title: string; findings: readonly Finding[] }) {
  const ordered = [...findings].sort(
    (a, b) =>
      Number(b.blocksRestore) - Number(a.blocksRestore) ||
      (a.category === b.category ? 0 : a.category === 'issue' ? -1 : 1),
  );
  return (
    <div className="findings">
      <h4>{title}</h4>
      {ordered.map((f) => (
        <details key={f.ruleId} className={`finding finding-${f.category}`}>
          <summary>
            <span className="finding-kind">
              {f.blocksRestore
                ? 'Blocks the restore'
                : f.category === 'issue'
                  ? 'Issue'
                  : 'Warning'}
            </span>{' '}
            {f.title} <code>{f.ruleId}</code> ({f.impactedObjects.length} impacted)
          </summary>
          <p>{f.fix}</p>
          <ul>
            {f.impactedObjects.map((o, i) => (
              <li key={`${o.file}:${o.line}:${o.column}:${i}`}>
                {o.objectType ? `${o.objectType} ` : ''}
                {o.objectName ?? o.file}
                {o.line > 0 ? `, line ${o.line}` : ''}: {o.detail}
              </li>
            ))}
          </ul>
          <p>
            <a href={f.docsUrl} target="_blank" rel="noreferrer">
              Documentation
            </a>
          </p>
        </details>
      ))}
    </div>
  );
}

function Readiness({ value }: { value: Server['readiness'] }) {
  return <span className={`readiness readiness-${value}`}>{readinessText[value]}</span>;
}
