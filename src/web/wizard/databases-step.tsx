/**
 * Page 2: the databases to migrate — picked from the source's user databases (with their state,
 * recovery model, size and TDE), or named by hand when there is no connection to the source.
 */
import { useId, useState } from 'react';

import type { SourceDatabase } from '../../api-contract/index.js';
import type { ApiRequestError } from '../api/api-client.js';
import { ErrorMessage } from '../shell/error-message.js';
import { SourcePasswordField } from './source-password-field.js';
import type { StepProps } from './step-props.js';
import { withPassword } from './wizard-steps.js';

export function DatabasesStep({ steps, change, secrets, setSecret, calls }: StepProps) {
  const id = useId();
  const selected = steps.databases?.selected ?? [];
  const setSelected = (names: readonly string[]) => {
    change('databases', { selected: [...names] });
  };
  const [found, setFound] = useState<SourceDatabase[] | null>(null);
  // Asked here when the page opens without it (a resumed session), and kept while typing.
  const [askPassword] = useState(secrets.sourcePassword === '');
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [loading, setLoading] = useState(false);
  const [typed, setTyped] = useState('');
  const connection = steps.source?.mode === 'connection' ? steps.source.connection : undefined;

  const load = async () => {
    if (!connection) return;
    setLoading(true);
    setError(null);
    try {
      setFound((await calls.listSourceDatabases(withPassword(connection, secrets))).value);
    } catch (failure) {
      setError(failure as ApiRequestError);
    } finally {
      setLoading(false);
    }
  };
  const add = () => {
    const name = typed.trim();
    if (name && !selected.includes(name)) setSelected([...selected, name]);
    setTyped('');
  };

  if (!connection) {
    return (
      <>
        <p className="hint">
          Name each database as its backups name it (the database name in the backup header).
        </p>
        <div className="inline-form">
          <label htmlFor={`${id}-name`}>Database name</label>
          <input
            id={`${id}-name`}
            value={typed}
            autoComplete="off"
            onChange={(e) => {
              setTyped(e.target.value);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && typed.trim()) {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" onClick={add} disabled={!typed.trim()}>
            Add
          </button>
        </div>
        <SelectedList
          names={selected}
          remove={(n) => {
            setSelected(selected.filter((s) => s !== n));
          }}
        />
      </>
    );
  }

  return (
    <>
      {askPassword ? (
        <SourcePasswordField steps={steps} secrets={secrets} setSecret={setSecret} />
      ) : null}
      <p>
        <button type="button" disabled={loading} onClick={() => void load()}>
          {loading ? 'Loading…' : found ? 'Load again' : 'Load the databases'}
        </button>{' '}
        <span className="hint">from {connection.dataSource}</span>
      </p>
      {error ? <ErrorMessage error={error} title="Databases" /> : null}
      {found ? (
        <table>
          <caption className="visually-hidden">User databases of the source</caption>
          <thead>
            <tr>
              <th scope="col">Migrate</th>
              <th scope="col">Database</th>
              <th scope="col">State</th>
              <th scope="col">Recovery model</th>
              <th scope="col" className="number">
                Size
              </th>
              <th scope="col">TDE</th>
            </tr>
          </thead>
          <tbody>
            {found.map((db) => (
              <tr key={db.name}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Migrate ${db.name}`}
                    checked={selected.includes(db.name)}
                    onChange={(e) => {
                      setSelected(
                        e.target.checked
                          ? [...selected, db.name]
                          : selected.filter((n) => n !== db.name),
                      );
                    }}
                  />
                </td>
                <td>{db.name}</td>
                <td>{db.state}</td>
                <td>
                  {db.recoveryModel}
                  {db.recoveryModel !== 'FULL' ? (
                    <span className="hint"> (online migration needs FULL: log backups)</span>
                  ) : null}
                </td>
                <td className="number">{formatSize(db.sizeBytes)}</td>
                <td>
                  {db.isEncrypted ? 'Yes: its certificate must be on the target first' : 'No'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <SelectedList
          names={selected}
          remove={(n) => {
            setSelected(selected.filter((s) => s !== n));
          }}
        />
      )}
    </>
  );
}

function SelectedList({
  names,
  remove,
}: {
  names: readonly string[];
  remove: (name: string) => void;
}) {
  if (names.length === 0) return <p className="muted">No database chosen yet.</p>;
  return (
    <ul className="chosen" aria-label="Chosen databases">
      {names.map((n) => (
        <li key={n}>
          {n}{' '}
          <button
            type="button"
            className="link-button"
            aria-label={`Remove ${n}`}
            onClick={() => {
              remove(n);
            }}
          >
            Remove
          </button>
        </li>
      ))}
    </ul>
  );
}

export function formatSize(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
