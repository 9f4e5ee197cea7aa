/**
 * Page 5: the target — Azure SQL Managed Instance, SQL Server, or the rehearsal (Log Replay Service's
 * rules over the uploaded backups, nothing restored). A service restores to the one target it was
 * started with; the others say how to start a service for them.
 */
import { useEffect, useId } from 'react';

import type { SessionSteps } from '../../api-contract/index.js';
import type { StepProps } from './step-props.js';

type Kind = NonNullable<SessionSteps['target']>['kind'];

const kinds: readonly { kind: Kind; title: string; text: string; start: string }[] = [
  {
    kind: 'SqlMi',
    title: 'Azure SQL Managed Instance',
    text: 'Restored by Log Replay Service from the uploaded backups.',
    start: 'sqlmig up --managed-instance RESOURCE-ID --upload-storage-url … --upload-container …',
  },
  {
    kind: 'SqlVm',
    title: 'SQL Server (on an Azure VM or elsewhere)',
    text: 'Restored with RESTORE … FROM URL (or FROM DISK).',
    start: 'sqlmig up --sql-server HOST[:PORT] --sql-user LOGIN',
  },
  {
    kind: 'Rehearsal',
    title: 'Rehearsal',
    text: 'Everything a migration does but the restore: uploads, chain, Log Replay Service’s rules, cutover. Nothing is restored.',
    start: 'sqlmig up',
  },
];

export function TargetStep({ session, steps, change }: StepProps) {
  const id = useId();
  const deployment = session.deploymentTarget;
  const chosen = steps.target?.kind;
  useEffect(() => {
    if (!steps.target) change('target', { kind: deployment.kind as Kind, scope: deployment.scope });
  }, [steps.target, change, deployment]);

  return (
    <fieldset className="target-choices">
      <legend>Where the databases go</legend>
      {kinds.map((k) => {
        const available = k.kind === deployment.kind;
        return (
          <label key={k.kind} className={`card${chosen === k.kind ? ' chosen' : ''}`}>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={chosen === k.kind}
              disabled={!available}
              aria-describedby={`${id}-${k.kind}`}
              onChange={() => {
                change('target', { kind: k.kind, scope: deployment.scope });
              }}
            />
            <span className="card-title">{k.title}</span>
            <span id={`${id}-${k.kind}`} className="card-text">
              {k.text}{' '}
              {available ? (
                <>
                  This service restores to <strong>{deployment.scope}</strong>.
                </>
              ) : (
                <span className="muted">
                  Not this service’s target: start a service for it with <code>{k.start}</code>.
                </span>
              )}
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
