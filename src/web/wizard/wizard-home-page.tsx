/**
 * "New migration": begin a wizard session, or resume one saved earlier ("Save and close" keeps it on
 * the service, so it can be resumed from any browser signed in to the same service).
 */
import { useState } from 'react';

import type { ApiRequestError } from '../api/api-client.js';
import { useApi, useResource } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { Link, navigate, pathOf } from '../shell/router.js';
import { wizardApi } from './wizard-api.js';
import { stepTitles } from './wizard-steps.js';
import './wizard.css';

export function WizardHomePage() {
  const calls = wizardApi(useApi());
  const list = useResource('migration-sessions', () => calls.listSessions());
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [busy, setBusy] = useState(false);

  const begin = async () => {
    setBusy(true);
    try {
      const session = await calls.createSession();
      navigate(pathOf('new', session.id));
    } catch (failure) {
      setError(failure as ApiRequestError);
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    try {
      await calls.deleteSession(id);
      list.refresh();
    } catch (failure) {
      setError(failure as ApiRequestError);
    }
  };

  const saved = list.data?.value ?? [];
  return (
    <section className="wizard-home">
      <h1>New migration</h1>
      <p className="hint">
        The wizard walks through the source, the databases, their assessment and sizing, the target,
        the backups and the migration service, then starts one migration per database. “Save and
        close” keeps your entries on the service (never a password: those are asked again).
      </p>
      <button type="button" className="primary" disabled={busy} onClick={() => void begin()}>
        Begin a new migration
      </button>
      {error ? <ErrorMessage error={error} /> : null}
      {list.error ? <ErrorMessage error={list.error} title="Saved sessions" /> : null}
      <h2>Saved sessions</h2>
      {saved.length === 0 ? (
        <p className="muted">{list.loading ? 'Loading…' : 'No saved session.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Databases</th>
              <th scope="col">Page</th>
              <th scope="col">Status</th>
              <th scope="col">Saved</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {saved.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.steps.source?.mode === 'backupsOnly'
                    ? 'Backups only'
                    : (s.steps.source?.connection?.dataSource ?? (
                        <span className="muted">not given yet</span>
                      ))}
                </td>
                <td>
                  {s.steps.databases?.selected.join(', ') || (
                    <span className="muted">none yet</span>
                  )}
                </td>
                <td>{stepTitles[s.step]}</td>
                <td>{s.status === 'Started' ? 'Started' : 'In progress'}</td>
                <td>{new Date(s.updatedAt).toLocaleString()}</td>
                <td className="actions">
                  <Link to={pathOf('new', s.id)}>{s.status === 'Started' ? 'Open' : 'Resume'}</Link>{' '}
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Delete the session saved ${new Date(s.updatedAt).toLocaleString()}`}
                    onClick={() => void remove(s.id)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
