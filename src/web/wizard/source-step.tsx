/**
 * Page 1: how to reach the source instance (DMS `sourceSqlConnection`), tested at once with the
 * login's permission check; or no connection at all, to migrate from backups only.
 */
import { useId, useState } from 'react';

import type { SourceCheckResponse, SourceConnectionSettings } from '../../api-contract/index.js';
import type { ApiRequestError } from '../api/api-client.js';
import { ErrorMessage } from '../shell/error-message.js';
import { CheckList } from './check-list.js';
import type { StepProps } from './step-props.js';
import { withPassword } from './wizard-steps.js';

const emptyConnection: SourceConnectionSettings = {
  dataSource: '',
  authentication: 'SqlAuthentication',
  userName: '',
  encryptConnection: true,
  trustServerCertificate: false,
};

export function SourceStep({ steps, change, secrets, setSecret, calls }: StepProps) {
  const id = useId();
  const source = steps.source ?? { mode: 'connection' as const };
  const connection = source.connection ?? emptyConnection;
  const [result, setResult] = useState<SourceCheckResponse | null>(null);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [testing, setTesting] = useState(false);

  const edit = (over: Partial<SourceConnectionSettings>) => {
    // A changed connection must be tested again.
    change('source', { mode: 'connection', connection: { ...connection, ...over } });
    setResult(null);
  };
  const test = async () => {
    setTesting(true);
    setError(null);
    setResult(null);
    try {
      const found = await calls.checkSource(withPassword(connection, secrets));
      setResult(found);
      const ok = found.checks.find((c) => c.check === 'connection')?.status === 'Succeeded';
      change('source', {
        mode: 'connection',
        connection,
        ...(ok && found.server && found.login
          ? {
              checked: {
                at: new Date().toISOString(),
                serverName: found.server.serverName,
                productVersion: found.server.productVersion,
                loginName: found.login.loginName,
                permitted: found.login.isSysadmin || found.login.hasControlServer,
              },
            }
          : {}),
      });
    } catch (failure) {
      setError(failure as ApiRequestError);
    } finally {
      setTesting(false);
    }
  };

  return (
    <>
      <fieldset>
        <legend>How sqlmig reaches the source</legend>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={source.mode === 'connection'}
            onChange={() => {
              change('source', { mode: 'connection', connection });
            }}
          />
          Connect to the source SQL Server (assessment, sizing, database list)
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={source.mode === 'backupsOnly'}
            onChange={() => {
              change('source', { mode: 'backupsOnly' });
            }}
          />
          No connection: migrate from backups only (name the databases by hand)
        </label>
      </fieldset>
      {source.mode === 'connection' ? (
        <div className="form-grid">
          <label htmlFor={`${id}-server`}>Server</label>
          <div>
            <input
              id={`${id}-server`}
              value={connection.dataSource}
              autoComplete="off"
              placeholder="sql01.contoso.com,1433"
              aria-describedby={`${id}-server-hint`}
              onChange={(e) => {
                edit({ dataSource: e.target.value });
              }}
            />
            <p id={`${id}-server-hint`} className="hint">
              host, host,port or host:port (a named instance: give its port)
            </p>
          </div>
          <label htmlFor={`${id}-auth`}>Authentication</label>
          <div>
            <select
              id={`${id}-auth`}
              value={connection.authentication}
              onChange={(e) => {
                edit({
                  authentication: e.target.value as SourceConnectionSettings['authentication'],
                });
              }}
            >
              <option value="SqlAuthentication">SQL Server authentication</option>
              <option value="WindowsAuthentication">Windows authentication</option>
            </select>
            {connection.authentication === 'WindowsAuthentication' ? (
              <p className="notice">
                Not available in this build: sqlmig connects with SQL logins only.
              </p>
            ) : null}
          </div>
          <label htmlFor={`${id}-user`}>User name</label>
          <input
            id={`${id}-user`}
            value={connection.userName ?? ''}
            autoComplete="off"
            onChange={(e) => {
              edit({ userName: e.target.value });
            }}
          />
          <label htmlFor={`${id}-password`}>Password</label>
          <div>
            <input
              id={`${id}-password`}
              type="password"
              value={secrets.sourcePassword}
              autoComplete="new-password"
              aria-describedby={`${id}-password-hint`}
              onChange={(e) => {
                setSecret('sourcePassword', e.target.value);
              }}
            />
            <p id={`${id}-password-hint`} className="hint">
              Never saved: asked again when a saved session is resumed.
            </p>
          </div>
          <span />
          <div className="checkboxes">
            <label className="choice">
              <input
                type="checkbox"
                checked={connection.encryptConnection ?? true}
                onChange={(e) => {
                  edit({ encryptConnection: e.target.checked });
                }}
              />
              Encrypt the connection
            </label>
            <label className="choice">
              <input
                type="checkbox"
                checked={connection.trustServerCertificate ?? false}
                onChange={(e) => {
                  edit({ trustServerCertificate: e.target.checked });
                }}
              />
              Trust the server certificate
            </label>
          </div>
          <span />
          <div>
            <button type="button" disabled={testing} onClick={() => void test()}>
              {testing ? 'Testing…' : 'Test connection'}
            </button>
          </div>
        </div>
      ) : (
        <p className="hint">
          sqlmig reads the backups themselves (headers, chain, checksums), so a migration needs no
          connection to the source. Without one, the assessment and the SKU recommendation are
          skipped.
        </p>
      )}
      {error ? <ErrorMessage error={error} title="Test connection" /> : null}
      {result ? (
        <CheckList
          label="Connection checks"
          checks={result.checks.map((c) => ({
            name: c.check,
            status: c.status,
            message: c.message,
          }))}
        />
      ) : source.mode === 'connection' && source.checked ? (
        <p className="muted">
          Last checked {new Date(source.checked.at).toLocaleString()}: {source.checked.serverName} (
          {source.checked.productVersion}) as {source.checked.loginName}
          {source.checked.permitted ? '' : ' — without sysadmin or CONTROL SERVER'}.
        </p>
      ) : null}
    </>
  );
}
