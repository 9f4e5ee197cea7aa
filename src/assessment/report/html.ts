/**
 * The report as one self-contained HTML file (inline style, no script, no external asset), every
 * value escaped, for a DBA to mail to a colleague.
 */
import type { AssessmentReport, Finding } from './report.js';
import { readinessLabel } from './report.js';
import { describeInstance } from './text.js';

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const style = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.4em 0 1em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
.NotReady{color:#b00020;font-weight:bold}.ReadyWithWarnings{color:#a15c00;font-weight:bold}.Ready{color:#1b6e20;font-weight:bold}
.issue{color:#b00020}.warning{color:#a15c00}code{font-size:.95em}`;

export function renderAssessmentHtml(report: AssessmentReport): string {
  const e = escapeHtml;
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<title>sqlmig assessment</title>',
    `<style>${style}</style></head><body>`,
    '<h1>Assessment for Azure SQL Managed Instance</h1>',
    report.mode === 'live'
      ? `<p>Target tier: ${e(report.target.tier)}. Assessed ${e(report.assessedAt)} from a live instance: ${report.sources.scripts} module(s) and T-SQL job step(s) read.</p>`
      : `<p>Target tier: ${e(report.target.tier)}. Assessed ${e(report.assessedAt)} from ${report.sources.files} file(s), ${report.sources.scripts} script(s).</p>`,
  ];
  if (report.errors.length > 0)
    parts.push(
      `<ul>${report.errors.map((x) => `<li class="issue">${e(x.message)}</li>`).join('')}</ul>`,
    );
  for (const server of report.servers) {
    parts.push(
      `<h2>Server ${e(server.name)}: <span class="${server.readiness}">${e(readinessLabel[server.readiness])}</span></h2>`,
    );
    if (server.instance) parts.push(`<p>${e(describeInstance(server.instance))}</p>`);
    parts.push(
      '<table><tr><th>Database</th><th>Readiness</th><th>Blocking</th><th>Issues</th><th>Warnings</th></tr>',
    );
    for (const db of server.databases)
      parts.push(
        `<tr><td>${e(db.name)}</td><td class="${db.readiness}">${e(readinessLabel[db.readiness])}</td><td>${db.counts.blocking}</td><td>${db.counts.issues}</td><td>${db.counts.warnings}</td></tr>`,
      );
    parts.push('</table>');
    if (server.instanceFindings.length > 0) {
      parts.push('<h3>Instance</h3>');
      for (const f of server.instanceFindings) parts.push(findingHtml(f));
    }
    for (const db of server.databases) {
      parts.push(
        `<h3>Database ${e(db.name)}: <span class="${db.readiness}">${e(readinessLabel[db.readiness])}</span></h3>`,
      );
      if (db.findings.length === 0) parts.push('<p>No findings.</p>');
      for (const f of db.findings) parts.push(findingHtml(f));
    }
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}

function findingHtml(f: Finding): string {
  const e = escapeHtml;
  const rows = f.impactedObjects
    .map(
      (o) =>
        `<tr><td>${e(o.file)}</td><td>${o.line > 0 ? o.line : ''}</td><td>${e(o.objectName === null ? '' : `${o.objectType ?? ''} ${o.objectName}`)}</td><td>${e(o.database ?? '')}</td><td><code>${e(o.detail)}</code></td></tr>`,
    )
    .join('');
  return [
    `<h4><span class="${f.category}">[${e(f.category)}${f.blocksRestore ? ', blocks restore' : ''}]</span> ${e(f.ruleId)}: ${e(f.title)}</h4>`,
    `<p>Fix: ${e(f.fix)}<br>Documentation: <a href="${e(f.docsUrl)}">${e(f.docsUrl)}</a></p>`,
    `<table><tr><th>Source</th><th>Line</th><th>Object</th><th>Database</th><th>Seen</th></tr>${rows}</table>`,
  ].join('\n');
}
