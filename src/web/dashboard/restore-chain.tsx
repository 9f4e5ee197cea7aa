/**
 * The restore chain drawn: each backup set a box in LSN order (left to right, row after row), its
 * colour its state (restored, restoring, waiting, ignored), a red break where the log chain has a
 * gap, ignored sets dashed and grey with their reason; below them, in a row of their own, the files
 * left out of any chain (not a backup, another database's, damaged) with theirs. The same facts are
 * written out below the picture, for screen readers and for copying.
 */
import type { BackupSetInfo, MigrationStatusDetails } from '../../api-contract/index.js';
import type { ChainItem } from './chain-layout.js';

const boxWidth = 190;
const boxHeight = 84;
const gapX = 36;
const gapY = 44;
const perRow = 5;
const margin = 14;

type SetState = 'restored' | 'restoring' | 'waiting' | 'uploading' | 'ignored';

function stateOf(item: ChainItem): SetState {
  if (item.ignoredBecause.length > 0) return 'ignored';
  const set = item.set;
  if (set.isBackupRestored) return 'restored';
  const statuses = set.listOfBackupFiles.map((f) => f.status);
  if (statuses.includes('Restoring')) return 'restoring';
  if (statuses.length > 0 && statuses.every((s) => s === 'Uploaded' || s === 'Restored'))
    return 'waiting';
  return 'uploading';
}

const stateLabel: Readonly<Record<SetState, string>> = {
  restored: 'Restored',
  restoring: 'Restoring',
  waiting: 'Uploaded, waiting',
  uploading: 'Uploading',
  ignored: 'Ignored',
};

function shortType(set: BackupSetInfo): string {
  return set.backupType === 'Differential' ? 'Diff' : (set.backupType ?? 'Unknown');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function RestoreChain({
  chain,
  invalidFiles,
}: {
  chain: readonly ChainItem[];
  invalidFiles: MigrationStatusDetails['invalidFiles'];
}) {
  if (chain.length === 0 && invalidFiles.length === 0)
    return <p className="muted">No backup set has been read yet: the chain starts with a full.</p>;
  const rows = Math.ceil(chain.length / perRow);
  const leftOutRows = Math.ceil(invalidFiles.length / perRow);
  const leftOutTop = margin + rows * (boxHeight + gapY) + (leftOutRows > 0 ? 12 : 0);
  const leftOutHeight = 54;
  const width = margin * 2 + perRow * boxWidth + (perRow - 1) * gapX;
  const height =
    leftOutRows > 0
      ? leftOutTop + leftOutRows * (leftOutHeight + 16) + margin
      : margin * 2 + rows * boxHeight + Math.max(0, rows - 1) * gapY + 22;
  const gaps = chain.filter((item) => item.gapBefore);
  const ignored = chain.filter((item) => item.ignoredBecause.length > 0);
  const summary = `${chain.length} backup set(s) in LSN order: ${
    chain.filter((i) => stateOf(i) === 'restored').length
  } restored, ${ignored.length} ignored, ${gaps.length} gap(s) in the log chain; ${
    invalidFiles.length
  } file(s) left out of any chain.`;

  return (
    <figure className="restore-chain">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-labelledby="chain-title chain-desc"
        data-testid="restore-chain"
      >
        <title id="chain-title">Restore chain</title>
        <desc id="chain-desc">{summary}</desc>
        {chain.map((item, index) => {
          const col = index % perRow;
          const row = Math.floor(index / perRow);
          const x = margin + col * (boxWidth + gapX);
          const y = margin + row * (boxHeight + gapY);
          const state = stateOf(item);
          const file = item.set.listOfBackupFiles[0]?.fileName ?? '(no file)';
          const more = item.set.listOfBackupFiles.length - 1;
          return (
            <g
              key={item.set.backupSetId}
              className={`chain-set chain-${state}`}
              data-set-type={item.set.backupType ?? ''}
              data-state={state}
              data-gap-before={item.gapBefore ? 'true' : 'false'}
            >
              {col > 0 ? (
                <line
                  className={item.gapBefore ? 'chain-link chain-link-gap' : 'chain-link'}
                  x1={x - gapX}
                  y1={y + boxHeight / 2}
                  x2={x}
                  y2={y + boxHeight / 2}
                />
              ) : null}
              {item.gapBefore ? (
                <g className="chain-gap">
                  <path
                    d={`M ${x - gapX / 2 - 5} ${y + 6} l 10 10 l -10 10 l 10 10 l -10 10 l 10 10 l -10 10 l 10 10`}
                  />
                  <text x={x - gapX / 2} y={y - 6} textAnchor="middle">
                    gap
                  </text>
                </g>
              ) : null}
              <rect x={x} y={y} width={boxWidth} height={boxHeight} rx={6} />
              <text x={x + 10} y={y + 18} className="chain-type">
                {shortType(item.set)} · {stateLabel[state]}
              </text>
              <text x={x + 10} y={y + 36} className="chain-file">
                {clip(file, 26)}
                {more > 0 ? ` +${more}` : ''}
              </text>
              <text x={x + 10} y={y + 54} className="chain-lsn">
                {item.set.firstLSN ?? '?'}
              </text>
              <text x={x + 10} y={y + 70} className="chain-lsn">
                → {item.set.lastLSN ?? '?'}
              </text>
              {state === 'ignored' ? (
                <text x={x} y={y + boxHeight + 16} className="chain-reason">
                  {clip(item.ignoredBecause.join(', '), 32)}
                </text>
              ) : null}
            </g>
          );
        })}
        {leftOutRows > 0 ? (
          <text x={margin} y={leftOutTop - 8} className="chain-heading">
            Left out of any chain
          </text>
        ) : null}
        {invalidFiles.map((file, index) => {
          const x = margin + (index % perRow) * (boxWidth + gapX);
          const y = leftOutTop + Math.floor(index / perRow) * (leftOutHeight + 16);
          return (
            <g
              key={file.fileName}
              className="chain-set chain-ignored chain-left-out"
              data-state="left-out"
              data-file={file.fileName}
            >
              <rect x={x} y={y} width={boxWidth} height={leftOutHeight} rx={6} />
              <text x={x + 10} y={y + 20} className="chain-file">
                {clip(file.fileName, 26)}
              </text>
              <text x={x + 10} y={y + 40} className="chain-reason">
                {clip(file.reason, 28)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <p>{summary}</p>
        <ul className="legend" aria-label="Legend">
          {(['restored', 'restoring', 'waiting', 'uploading', 'ignored'] as const).map((s) => (
            <li key={s}>
              <span className={`swatch chain-${s}`} aria-hidden="true" /> {stateLabel[s]}
            </li>
          ))}
          <li>
            <span className="swatch swatch-gap" aria-hidden="true" /> Gap in the log chain
          </li>
        </ul>
        {gaps.length > 0 || ignored.length > 0 || invalidFiles.length > 0 ? (
          <ul className="chain-notes">
            {gaps.map(({ set, gapBefore }) => (
              <li key={`gap-${set.backupSetId}`} className="chain-note-gap">
                Gap: no log backup covers LSN {gapBefore?.from} to {gapBefore?.to}; the log{' '}
                <code>{set.listOfBackupFiles[0]?.fileName}</code> and later ones wait for it.
              </li>
            ))}
            {ignored.map(({ set, ignoredBecause }) => (
              <li key={`ignored-${set.backupSetId}`}>
                Ignored: <code>{set.listOfBackupFiles.map((f) => f.fileName).join(', ')}</code> —{' '}
                {ignoredBecause.join(', ')}
              </li>
            ))}
            {invalidFiles.map((file) => (
              <li key={`left-out-${file.fileName}`}>
                Left out: <code>{file.fileName}</code> — {file.reason}
              </li>
            ))}
          </ul>
        ) : null}
      </figcaption>
    </figure>
  );
}
