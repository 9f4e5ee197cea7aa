/**
 * Page 4: the SKU recommendation — performance data collected now from the source (start, stop) or
 * imported from a folder, the percentile and scaling factor edited, the recommendation refreshed with
 * its reasoning per dimension. Asked of the service (`/api/perfCollections`,
 * `/api/skuRecommendations`); a service without sizing says so, and the page shows that.
 */
import { useId, useState } from 'react';

import type { SessionSteps } from '../../api-contract/index.js';
import { ApiRequestError } from '../api/api-client.js';
import { ErrorMessage } from '../shell/error-message.js';
import { NotAvailable } from './check-list.js';
import type { StepProps } from './step-props.js';

type Sku = NonNullable<SessionSteps['sku']>;
const defaults: Sku = { source: 'import', percentile: 95, scalingFactorPercent: 100 };

export function SkuStep({ steps, change, secrets, calls }: StepProps) {
  const id = useId();
  const sku = steps.sku ?? defaults;
  const edit = (over: Partial<Sku>) => {
    change('sku', { ...sku, ...over });
  };
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [result, setResult] = useState<Record<string, unknown> | null>(null);
  const [busy, setBusy] = useState(false);
  const connection = steps.source?.mode === 'connection' ? steps.source.connection : undefined;

  const run = async (work: () => Promise<Record<string, unknown>>) => {
    setBusy(true);
    setError(null);
    try {
      setResult(await work());
    } catch (failure) {
      setError(failure instanceof ApiRequestError ? failure : null);
    } finally {
      setBusy(false);
    }
  };
  const folder = sku.perfDataFolder ?? '';
  const recommend = () =>
    run(() =>
      calls.recommendSku({
        perfDataFolder: folder,
        percentile: sku.percentile,
        scalingFactorPercent: sku.scalingFactorPercent,
      }),
    );

  return (
    <>
      <fieldset>
        <legend>Performance data</legend>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-source`}
            checked={sku.source === 'collect'}
            disabled={!connection}
            onChange={() => {
              edit({ source: 'collect' });
            }}
          />
          Collect now from the source{connection ? '' : ' (needs a connection to the source)'}
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-source`}
            checked={sku.source === 'import'}
            onChange={() => {
              edit({ source: 'import' });
            }}
          />
          Import a folder of performance data collected earlier
        </label>
      </fieldset>
      <div className="form-grid">
        <label htmlFor={`${id}-folder`}>Folder</label>
        <input
          id={`${id}-folder`}
          value={folder}
          autoComplete="off"
          placeholder="/var/lib/sqlmig/perf/sql01"
          onChange={(e) => {
            edit({ perfDataFolder: e.target.value });
          }}
        />
        <label htmlFor={`${id}-percentile`}>Percentile</label>
        <input
          id={`${id}-percentile`}
          type="number"
          min={1}
          max={100}
          value={sku.percentile}
          onChange={(e) => {
            edit({ percentile: Number(e.target.value) });
          }}
        />
        <label htmlFor={`${id}-scaling`}>Scaling factor (%)</label>
        <input
          id={`${id}-scaling`}
          type="number"
          min={1}
          max={1000}
          value={sku.scalingFactorPercent}
          onChange={(e) => {
            edit({ scalingFactorPercent: Number(e.target.value) });
          }}
        />
      </div>
      <div className="button-row">
        {sku.source === 'collect' && connection ? (
          <>
            <button
              type="button"
              disabled={busy || !folder}
              onClick={() =>
                void run(() =>
                  calls.startPerfCollection(
                    { ...connection, password: secrets.sourcePassword },
                    folder,
                  ),
                )
              }
            >
              Start collecting
            </button>
            <button type="button" disabled>
              Stop
            </button>
          </>
        ) : null}
        <button type="button" disabled={busy || !folder} onClick={() => void recommend()}>
          {result ? 'Refresh the recommendation' : 'Recommend'}
        </button>
      </div>
      {error?.code === 'NotAvailableInThisBuild' ? (
        <NotAvailable message={error.message} />
      ) : error ? (
        <ErrorMessage error={error} title="SKU recommendation" />
      ) : null}
      {result ? <pre className="raw-result">{JSON.stringify(result, null, 2)}</pre> : null}
      <p className="hint">The recommendation is advice: going on without it is allowed.</p>
    </>
  );
}
