/**
 * The recommendation as one self-contained HTML file: the text's content in tables, and for each
 * measured dimension a chart of its value per 10-minute window with the percentile line (inline SVG, no
 * script, no external asset).
 */
import { dimensionLabels } from '../recommend/checks.js';
import type { SkuRecommendation } from '../recommend/recommend.js';
import { skuName } from './text.js';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const style = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.4em 0 1em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
.pass{color:#1b6e20}.fail{color:#b00020}svg{background:#fafafa;border:1px solid #ddd}
.series{fill:none;stroke:#1f5fa8;stroke-width:1.2}.pct{stroke:#b00020;stroke-dasharray:5 3}`;

const width = 900;
const height = 160;
const pad = 34;

function chart(
  title: string,
  unit: string,
  values: readonly number[],
  line: number | undefined,
  times: readonly string[],
): string {
  const e = escapeHtml;
  const finite = values.filter((v) => Number.isFinite(v));
  const top = Math.max(...finite, line ?? 0, 1e-9) * 1.1;
  const x = (i: number): number =>
    pad + (values.length <= 1 ? 0 : (i / (values.length - 1)) * (width - 2 * pad));
  const y = (v: number): number => height - pad / 2 - (v / top) * (height - pad);
  let path = '';
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    path += `${path === '' ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  const parts = [
    `<h3>${e(title)}</h3>`,
    `<svg role="img" aria-label="${e(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<text x="4" y="12" font-size="11">${e(`${top.toFixed(2)} ${unit}`)}</text>`,
    `<text x="4" y="${height - 4}" font-size="11">${e(times[0] ?? '')}</text>`,
    `<text x="${width - 4}" y="${height - 4}" font-size="11" text-anchor="end">${e(times.at(-1) ?? '')}</text>`,
    path === '' ? '' : `<path class="series" d="${path}"/>`,
  ];
  if (line !== undefined)
    parts.push(
      `<line class="pct" x1="${pad}" x2="${width - pad}" y1="${y(line).toFixed(1)}" y2="${y(line).toFixed(1)}"/>`,
      `<text x="${width - pad}" y="${(y(line) - 3).toFixed(1)}" font-size="11" text-anchor="end" fill="#b00020">${e(`percentile ${line.toFixed(2)} ${unit}`)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

export function renderSkuHtml(report: SkuRecommendation): string {
  const e = escapeHtml;
  const r = report.requirements;
  const s = report.series;
  const scale = report.method.scalingFactor / 100;
  // The percentile line is drawn before scaling, on the measured values.
  const unscaled = (v: number): number => v / scale;
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<title>sqlmig SKU recommendation</title>',
    `<style>${style}</style></head><body>`,
    `<h1>SKU recommendation for ${e(report.perfData.server)}</h1>`,
    `<p>${e(report.summary)}</p>`,
    `<p>Data: ${report.perfData.windows} windows from ${e(report.perfData.firstWindow ?? '-')} to ${e(report.perfData.lastWindow ?? '-')}; confidence ${report.confidence.stars}/5 (${(report.confidence.share * 100).toFixed(1)} % of expected samples). Method: ${report.method.percentile}th percentile × ${report.method.scalingFactor} %. Limits: ${e(report.catalog.source)} (${e(report.catalog.date)}). ${report.prices === undefined ? 'No prices given: the smallest fitting SKU.' : `Prices: ${e(report.prices.source)} (${e(report.prices.region)}, ${e(report.prices.currency)}).`}</p>`,
  ];
  if (report.recommendation !== undefined) {
    parts.push(`<h2>Recommended: ${e(skuName(report.recommendation))}</h2>`);
    parts.push('<table><tr><th>Dimension</th><th>Needs</th><th>Offers</th><th></th></tr>');
    for (const c of report.recommendation.checks)
      parts.push(
        `<tr><td>${e(dimensionLabels[c.dimension])}</td><td>${e(c.needed)}</td><td>${e(c.offered)}</td><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'fits' : 'does not fit'}</td></tr>`,
      );
    parts.push('</table>');
  }
  if (report.ruledOut.length > 0) {
    parts.push(
      `<h2>${report.status === 'Recommended' ? 'Ruled out' : 'Candidates'}</h2><table><tr><th>SKU</th><th>What it lacks</th></tr>`,
    );
    for (const c of report.ruledOut)
      parts.push(
        `<tr><td>${e(skuName(c))}</td><td>${c.checks
          .filter((ch) => !ch.passed)
          .map(
            (ch) =>
              `${e(dimensionLabels[ch.dimension])}: needs ${e(ch.needed)}, offers ${e(ch.offered)}`,
          )
          .join('<br>')}</td></tr>`,
      );
    parts.push('</table>');
  }
  parts.push('<h2>Dimensions over time</h2>');
  parts.push(chart('vCores used', 'vCores', s.vCores, unscaled(r.vCores), s.times));
  parts.push(chart('Memory in use', 'GB', s.memoryGB, unscaled(r.memoryGB), s.times));
  parts.push(chart('IOPS', 'IOPS', s.iops, unscaled(r.iops), s.times));
  parts.push(chart('IO throughput', 'MB/s', s.throughputMBps, unscaled(r.throughputMBps), s.times));
  parts.push(chart('Log writes', 'MB/s', s.logWriteMBps, unscaled(r.logWriteMBps), s.times));
  parts.push(chart('IO latency', 'ms', s.latencyMs, r.latencyMs, s.times));
  if (report.notices.length > 0)
    parts.push(`<h2>Notes</h2><ul>${report.notices.map((x) => `<li>${e(x)}</li>`).join('')}</ul>`);
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
