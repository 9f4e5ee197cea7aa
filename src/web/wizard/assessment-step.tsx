/**
 * Page 3: the assessment of the chosen databases for the target — per database its issues and
 * warnings, impacted objects and readiness — asked of the service (`POST /api/source/assess`). A
 * service without the live assessment says so, and the page shows that instead of any result.
 */
import { useState } from 'react';

import { ApiRequestError } from '../api/api-client.js';
import { ErrorMessage } from '../shell/error-message.js';
import { NotAvailable } from './check-list.js';
import type { StepProps } from './step-props.js';

export function AssessmentStep({ steps, secrets, calls }: StepProps) {
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [result, setResult] = useState<Record<string, unknown> | null>(null);
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
      setResult(
        await calls.assessSource({ ...connection, password: secrets.sourcePassword }, databases),
      );
    } catch (failure) {
      setError(failure instanceof ApiRequestError ? failure : null);
    } finally {
      setRunning(false);
    }
  };

  return (
    <>
      <p>
        Assess {databases.join(', ')} on {connection.dataSource}: each finding with its rule,
        severity, whether it blocks the restore, the impacted objects and what to do.
      </p>
      <button type="button" disabled={running} onClick={() => void assess()}>
        {running ? 'Assessing…' : 'Assess'}
      </button>
      {error?.code === 'NotAvailableInThisBuild' ? (
        <NotAvailable message={error.message} />
      ) : error ? (
        <ErrorMessage error={error} title="Assessment" />
      ) : null}
      {result ? <pre className="raw-result">{JSON.stringify(result, null, 2)}</pre> : null}
      <p className="hint">The assessment is advice: going on without it is allowed.</p>
    </>
  );
}
