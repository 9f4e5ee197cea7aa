/**
 * Page 7: the migration service and its integration runtime — choose or create the service, its two
 * authentication keys (copy, regenerate), its nodes and their health, a check of the key a node is
 * started with, and a connection test through a node that names the hop that failed.
 */
import { useEffect, useId, useState } from 'react';

import type {
  AuthKeys,
  CheckAuthKeyResponse,
  TestConnectionResponse,
} from '../../api-contract/index.js';
import type { ApiRequestError } from '../api/api-client.js';
import { useResource } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { CheckList } from './check-list.js';
import type { StepProps } from './step-props.js';

const hopNames: Readonly<Record<string, string>> = {
  backupLocation: 'Backup location',
  uploadStorage: 'Upload storage',
  sourceSqlServer: 'Source SQL Server',
};

export function RuntimeStep({ steps, change, secrets, calls }: StepProps) {
  const id = useId();
  const serviceName = steps.runtime?.serviceName ?? 'default';
  const services = useResource('wizard-services', () => calls.listServices(), 5000);
  const nodes = useResource(
    `wizard-nodes/${serviceName}`,
    () => calls.listNodes(serviceName),
    3000,
  );
  const [keys, setKeys] = useState<{ service: string; keys: AuthKeys } | null>(null);
  const [confirming, setConfirming] = useState<'authKey1' | 'authKey2' | null>(null);
  // Keys are hidden until asked for (copying needs no showing): a screen shared or filmed shows none.
  const [keysShown, setKeysShown] = useState(false);
  const [newName, setNewName] = useState('');
  const [typedKey, setTypedKey] = useState('');
  const [keyCheck, setKeyCheck] = useState<CheckAuthKeyResponse | null>(null);
  const [test, setTest] = useState<TestConnectionResponse | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [error, setError] = useState<{ what: string; error: ApiRequestError } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (what: string, work: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError({ what, error: failure as ApiRequestError });
    } finally {
      setBusy(null);
    }
  };
  const choose = (name: string) => {
    change('runtime', { serviceName: name });
    setKeys(null);
    setKeyCheck(null);
    setTest(null);
  };
  useEffect(() => {
    if (!steps.runtime) change('runtime', { serviceName });
  }, [steps.runtime, change, serviceName]);
  const service = services.data?.value.find((s) => s.name === serviceName);
  const shownKeys = keys?.service === serviceName ? keys.keys : null;
  const first = steps.backup?.databases[0];

  const copy = async (keyName: string, value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(`${keyName} copied.`);
    } catch {
      const field = document.getElementById(`${id}-${keyName}`);
      if (field instanceof HTMLInputElement) field.select();
      setCopied(`The browser did not allow copying: ${keyName} is selected, press Ctrl+C.`);
    }
  };

  return (
    <>
      <div className="form-grid">
        <label htmlFor={`${id}-service`}>Migration service</label>
        <div>
          <select
            id={`${id}-service`}
            value={serviceName}
            onChange={(e) => {
              choose(e.target.value);
            }}
          >
            {(services.data?.value ?? [{ name: serviceName }]).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>{' '}
          {service ? (
            <span className={`state state-${service.properties.integrationRuntimeState}`}>
              Integration runtime: {service.properties.integrationRuntimeState}
            </span>
          ) : null}
        </div>
        <label htmlFor={`${id}-new`}>Or create one</label>
        <div className="inline-form">
          <input
            id={`${id}-new`}
            value={newName}
            autoComplete="off"
            placeholder="name: letters, digits, _ . -"
            onChange={(e) => {
              setNewName(e.target.value);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.preventDefault();
            }}
          />
          <button
            type="button"
            disabled={!newName.trim() || busy !== null}
            onClick={() =>
              void act('Create the service', async () => {
                const created = await calls.createService(newName.trim());
                services.refresh();
                choose(created.name);
                setNewName('');
              })
            }
          >
            Create
          </button>
        </div>
      </div>
      {error ? <ErrorMessage error={error.error} title={error.what} /> : null}

      <h3>Authentication keys</h3>
      <p className="hint">
        Start a runtime next to the backups with one of them:{' '}
        <code>sqlmig runtime --service URL --auth-key KEY</code>. Regenerating a key stops it
        working for new registrations; nodes already registered keep working.
      </p>
      {shownKeys ? (
        <div className="keys">
          <p>
            <button
              type="button"
              aria-pressed={keysShown}
              onClick={() => {
                setKeysShown(!keysShown);
              }}
            >
              {keysShown ? 'Hide the keys' : 'Show the keys'}
            </button>
          </p>
          {(['authKey1', 'authKey2'] as const).map((k) => (
            <div key={k} className="key-row">
              <label htmlFor={`${id}-${k}`}>{k}</label>
              <input
                id={`${id}-${k}`}
                className="mono wide"
                type={keysShown ? 'text' : 'password'}
                autoComplete="off"
                readOnly
                value={shownKeys[k]}
              />
              <button type="button" onClick={() => void copy(k, shownKeys[k])}>
                Copy {k}
              </button>
              {confirming === k ? (
                <span
                  className="confirm"
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                      e.stopPropagation();
                      setConfirming(null);
                    }
                  }}
                >
                  <button
                    type="button"
                    className="danger"
                    autoFocus
                    onClick={() =>
                      void act(`Regenerate ${k}`, async () => {
                        setKeys({
                          service: serviceName,
                          keys: await calls.regenerateAuthKey(serviceName, k),
                        });
                        setConfirming(null);
                        setCopied(null);
                      })
                    }
                  >
                    Yes, replace {k}
                  </button>
                  <button
                    type="button"
                    onClick={() => {
                      setConfirming(null);
                    }}
                  >
                    Keep it
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  onClick={() => {
                    setConfirming(k);
                  }}
                >
                  Regenerate {k}
                </button>
              )}
            </div>
          ))}
          {copied ? (
            <p className="hint" role="status">
              {copied}
            </p>
          ) : null}
        </div>
      ) : (
        <button
          type="button"
          disabled={busy !== null}
          onClick={() =>
            void act('Show the keys', async () => {
              setKeys({ service: serviceName, keys: await calls.listAuthKeys(serviceName) });
            })
          }
        >
          Show the keys
        </button>
      )}

      <h3>Check a node’s key</h3>
      <div className="inline-form">
        <label htmlFor={`${id}-check`}>Key the node was started with</label>
        <input
          id={`${id}-check`}
          className="mono wide"
          type="password"
          autoComplete="off"
          value={typedKey}
          onChange={(e) => {
            setTypedKey(e.target.value);
            setKeyCheck(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.preventDefault();
          }}
        />
        <button
          type="button"
          disabled={!typedKey.trim() || busy !== null}
          onClick={() =>
            void act('Check the key', async () => {
              setKeyCheck(await calls.checkAuthKey(serviceName, typedKey));
            })
          }
        >
          Check the key
        </button>
      </div>
      {keyCheck ? (
        <p className={keyCheck.valid ? 'ok-text' : 'error'} role="status">
          {keyCheck.message}
        </p>
      ) : null}

      <h3>Nodes</h3>
      {nodes.error ? <ErrorMessage error={nodes.error} title="Nodes" /> : null}
      {nodes.data && nodes.data.nodes.length > 0 ? (
        <table>
          <caption className="visually-hidden">Integration runtime nodes of {serviceName}</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Last seen</th>
              <th scope="col" className="number">
                CPU
              </th>
              <th scope="col" className="number">
                Free memory
              </th>
              <th scope="col" className="number">
                Jobs running
              </th>
            </tr>
          </thead>
          <tbody>
            {nodes.data.nodes.map((n) => (
              <tr key={n.nodeName}>
                <td>{n.nodeName}</td>
                <td>{ago(n.lastSeenAt)}</td>
                <td className="number">
                  {n.cpuUtilization === null ? '–' : `${n.cpuUtilization}%`}
                </td>
                <td className="number">
                  {n.availableMemoryInMB === null ? '–' : `${n.availableMemoryInMB} MB`}
                </td>
                <td className="number">
                  {n.concurrentJobsRunning ?? '–'}
                  {n.concurrentJobsLimit === null ? '' : ` of ${n.concurrentJobsLimit}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">
          {nodes.loading ? 'Loading…' : `No node has registered with ${serviceName} yet.`}
        </p>
      )}

      <h3>Test the connections</h3>
      <p className="hint">
        Through a node of {serviceName}: the backup location
        {first ? ` of ${first.sourceDatabaseName}` : ''} and the upload storage.
      </p>
      <button
        type="button"
        disabled={!first?.backupFolder || busy !== null}
        onClick={() =>
          void act('Test connection', async () => {
            setTest(null);
            const username = steps.backup?.fileShare?.username;
            setTest(
              await calls.testConnection(serviceName, {
                backupLocation: {
                  path: first?.backupFolder ?? '',
                  ...(username ? { username } : {}),
                  ...(username && secrets.sharePassword ? { password: secrets.sharePassword } : {}),
                },
              }),
            );
          })
        }
      >
        {busy === 'Test connection' ? 'Testing…' : 'Test connection'}
      </button>
      {busy === 'Test connection' ? (
        <span className="hint" role="status">
          {' '}
          Checking each hop (a node of {serviceName} runs it; the service waits up to 60 s for one,
          except for a local folder on the default service, which it checks itself).
        </span>
      ) : null}
      {test ? (
        <>
          <p
            role="status"
            className={test.checks.some((c) => c.status === 'Failed') ? 'failed-hop' : 'ok-text'}
          >
            {test.checks.some((c) => c.status === 'Failed')
              ? `Failed at: ${test.checks
                  .filter((c) => c.status === 'Failed')
                  .map((c) => hopNames[c.hop] ?? c.hop)
                  .join(', ')} (tested from node ${test.nodeName}).`
              : `Every hop answered (tested from node ${test.nodeName}).`}
          </p>
          <CheckList
            label="Connection test"
            checks={test.checks.map((c) => ({
              name: hopNames[c.hop] ?? c.hop,
              status: c.status,
              message: c.message,
            }))}
          />
        </>
      ) : null}
    </>
  );
}

function ago(at: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(at)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return new Date(at).toLocaleString();
}
