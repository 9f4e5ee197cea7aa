/**
 * Page 4: the SKU recommendation — performance data collected now by the service from the source
 * into a folder (start, stop, its progress followed) or imported from a folder `sqlmig perf collect`
 * wrote; the percentile and scaling factor edited, the recommendation refreshed, and its reasoning per
 * dimension: what the workload needs against what the SKU offers, and why each cheaper SKU was
 * ruled out. Advice: going on without it is allowed.
 */
import { useId, useState } from 'react';

import type {
  PerfCollectionStatus,
  SessionSteps,
  SkuRecommendationResult,
} from '../../api-contract/index.js';
import type { ApiRequestError } from '../api/api-client.js';
import { useResource } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { NotAvailable } from './check-list.js';
import type { StepProps } from './step-props.js';
import { withPassword } from './wizard-steps.js';

type Sku = NonNullable<SessionSteps['sku']>;
type Candidate = NonNullable<SkuRecommendationResult['recommendation']>;
const defaults: Sku = { source: 'import', percentile: 95, scalingFactorPercent: 100 };
const percentiles = [99, 97, 95, 90, 75, 50] as const;

const tierNames: Readonly<Record<string, string>> = {
  GeneralPurpose: 'General Purpose',
  NextGenGeneralPurpose: 'Next-gen General Purpose',
  BusinessCritical: 'Business Critical',
};
const dimensionNames: Readonly<Record<string, string>> = {
  vCores: 'vCores',
  memory: 'Memory',
  storage: 'Storage',
  tempdb: 'tempdb',
  iops: 'IOPS',
  throughput: 'Throughput',
  logRate: 'Log rate',
  latency: 'Latency',
  databases: 'Databases',
  files: 'Files',
  inMemoryOltp: 'In-Memory OLTP',
};
const dimensionName = (d: string): string => dimensionNames[d] ?? d;
const hardwareNames: Readonly<Record<string, string>> = {
  StandardSeries: 'Standard-series (Gen5)',
  PremiumSeries: 'Premium-series',
  PremiumSeriesMemoryOptimized: 'Premium-series memory optimized',
};

export function SkuStep({ steps, change, secrets, calls }: StepProps) {
  const id = useId();
  const sku = steps.sku ?? defaults;
  const edit = (over: Partial<Sku>) => {
    change('sku', { ...sku, ...over });
  };
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [result, setResult] = useState<SkuRecommendationResult | null>(null);
  const [busy, setBusy] = useState(false);
  const connection = steps.source?.mode === 'connection' ? steps.source.connection : undefined;
  const folder = sku.perfDataFolder ?? '';

  const recommend = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(
        await calls.recommendSku({
          perfDataFolder: folder,
          percentile: sku.percentile as (typeof percentiles)[number],
          scalingFactorPercent: sku.scalingFactorPercent,
        }),
      );
    } catch (failure) {
      setError(failure as ApiRequestError);
    } finally {
      setBusy(false);
    }
  };
  const collection = useResource(
    `perf-collection/${sku.collectionId ?? ''}`,
    () => (sku.collectionId ? calls.getPerfCollection(sku.collectionId) : Promise.resolve(null)),
    sku.collectionId ? 3000 : 0,
  );
  const collecting = collection.data?.state === 'running' || collection.data?.state === 'stopping';
  const startCollecting = async () => {
    if (!connection) return;
    setBusy(true);
    setError(null);
    try {
      const started = await calls.startPerfCollection(withPassword(connection, secrets), folder);
      edit({ collectionId: started.id });
    } catch (failure) {
      setError(failure as ApiRequestError);
    } finally {
      setBusy(false);
    }
  };
  const stopCollecting = async () => {
    if (!sku.collectionId) return;
    setBusy(true);
    setError(null);
    try {
      await calls.stopPerfCollection(sku.collectionId);
      collection.refresh();
    } catch (failure) {
      setError(failure as ApiRequestError);
    } finally {
      setBusy(false);
    }
  };

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
          Import a folder of performance data (written by <code>sqlmig perf collect</code>, at least
          10 minutes of it)
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
        <div>
          <select
            id={`${id}-percentile`}
            value={sku.percentile}
            aria-describedby={`${id}-percentile-hint`}
            onChange={(e) => {
              edit({ percentile: Number(e.target.value) });
            }}
          >
            {percentiles.map((p) => (
              <option key={p} value={p}>
                {p}th
              </option>
            ))}
          </select>
          <p id={`${id}-percentile-hint`} className="hint">
            Each dimension is sized for this percentile of its 10-minute windows.
          </p>
        </div>
        <label htmlFor={`${id}-scaling`}>Scaling factor (%)</label>
        <div>
          <input
            id={`${id}-scaling`}
            type="number"
            min={1}
            max={1000}
            value={sku.scalingFactorPercent}
            aria-describedby={`${id}-scaling-hint`}
            onChange={(e) => {
              edit({ scalingFactorPercent: Number(e.target.value) });
            }}
          />
          <p id={`${id}-scaling-hint`} className="hint">
            100 sizes for the load as measured; 150 leaves half again as much room.
          </p>
        </div>
      </div>
      <div className="button-row">
        {sku.source === 'collect' && connection ? (
          <>
            <button
              type="button"
              disabled={busy || !folder || collecting}
              onClick={() => void startCollecting()}
            >
              Start collecting
            </button>
            <button
              type="button"
              disabled={busy || !collecting}
              onClick={() => void stopCollecting()}
            >
              Stop collecting
            </button>
          </>
        ) : null}
        <button type="button" disabled={busy || !folder} onClick={() => void recommend()}>
          {busy ? 'Working…' : result ? 'Refresh the recommendation' : 'Recommend'}
        </button>
      </div>
      {sku.source === 'collect' && sku.collectionId ? (
        collection.error ? (
          <ErrorMessage error={collection.error} title="Collection" />
        ) : collection.data ? (
          <CollectionStatus status={collection.data} />
        ) : null
      ) : null}
      {error?.code === 'NotAvailableInThisBuild' ? (
        <NotAvailable message={error.message} />
      ) : error ? (
        <ErrorMessage error={error} title="SKU recommendation" />
      ) : null}
      {result ? <Recommendation result={result} /> : null}
      <p className="hint">The recommendation is advice: going on without it is allowed.</p>
    </>
  );
}

function CollectionStatus({ status }: { status: PerfCollectionStatus }) {
  const windows = `${status.windowsWritten} window${status.windowsWritten === 1 ? '' : 's'} written`;
  return (
    <p className={status.state === 'failed' ? 'error' : 'notice'} role="status">
      {status.state === 'running' || status.state === 'stopping' ? (
        <>
          Collecting from {status.serverName} into <code>{status.folder}</code>:{' '}
          {status.samplesTaken} samples, {windows}
          {status.nextWriteInMs === null
            ? ''
            : `; the next in ${Math.ceil(status.nextWriteInMs / 60_000)} min`}
          . Refresh the recommendation as windows arrive (at least 10 minutes are needed).
        </>
      ) : status.state === 'failed' ? (
        <>
          The collection from {status.serverName} failed after {status.samplesTaken} samples:{' '}
          <code>{status.error?.code}</code> {status.error?.message}
        </>
      ) : (
        <>
          Collection from {status.serverName} stopped: {status.samplesTaken} samples, {windows} in{' '}
          <code>{status.folder}</code>.
        </>
      )}
    </p>
  );
}

function Recommendation({ result }: { result: SkuRecommendationResult }) {
  const sku = result.recommendation;
  return (
    <section aria-label="Recommendation" className="recommendation">
      <h3>{sku ? skuName(sku) : 'No recommendation'}</h3>
      <p role="status">{result.summary}</p>
      <p className="muted">
        {result.perfData.sampledMinutes} minutes of data from {result.perfData.server} (
        {result.perfData.windows} window{result.perfData.windows === 1 ? '' : 's'});{' '}
        {result.method.percentile}th percentile, scaling {result.method.scalingFactor}%; confidence{' '}
        {result.confidence.stars} of 5 ({Math.round(result.confidence.share * 100)}% of the expected
        samples).
      </p>
      {result.notices.length > 0 ? (
        <ul className="notices">
          {result.notices.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      {sku ? <Checks candidate={sku} caption={`Why ${skuName(sku)}`} /> : null}
      {result.ruledOut.length > 0 ? (
        <details>
          <summary>
            {result.ruledOut.length} {result.basis === 'price' ? 'cheaper' : 'smaller'} SKUs ruled
            out, and why
          </summary>
          {result.ruledOut.map((c) => (
            <Checks
              key={skuName(c)}
              candidate={c}
              caption={`${skuName(c)}: ${c.checks
                .filter((check) => !check.passed)
                .map((check) => dimensionName(check.dimension))
                .join(', ')} short`}
              onlyFailed
            />
          ))}
        </details>
      ) : null}
    </section>
  );
}

function Checks({
  candidate,
  caption,
  onlyFailed = false,
}: {
  candidate: Candidate;
  caption: string;
  onlyFailed?: boolean;
}) {
  return (
    <table className="sku-checks">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Dimension</th>
          <th scope="col">The workload needs</th>
          <th scope="col">The SKU offers</th>
          <th scope="col">Enough</th>
        </tr>
      </thead>
      <tbody>
        {candidate.checks
          .filter((c) => !onlyFailed || !c.passed)
          .map((c) => (
            <tr key={c.dimension} className={c.passed ? undefined : 'short'}>
              <th scope="row">{dimensionName(c.dimension)}</th>
              <td>{c.needed}</td>
              <td>{c.offered}</td>
              <td>{c.passed ? 'Yes' : 'No'}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

function skuName(c: Candidate): string {
  const cost = c.monthlyCost === undefined ? '' : `, ${Math.round(c.monthlyCost)} a month`;
  return `${tierNames[c.tier] ?? c.tier}, ${hardwareNames[c.hardware] ?? c.hardware}, ${c.vCores} vCores, ${c.storageGB} GB${cost}`;
}
