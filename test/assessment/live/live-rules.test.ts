/**
 * Every rule the live assessment detects from catalog rows fires on its rows and stays silent on its
 * near-misses, through the scripted catalog (a stand-in); every live-only rule has a case.
 */
import { describe, expect, it } from 'vitest';

import {
  assessLive,
  assessmentRules,
  type AssessmentReport,
} from '../../../src/assessment/index.js';
import { scriptCatalog, type ScriptedCatalog } from '../../support/scripted-catalog.js';
import { liveRuleCases } from './live-rule-cases.js';

function ruleIds(report: AssessmentReport): string[] {
  return report.servers.flatMap((s) => [
    ...s.instanceFindings.map((f) => f.ruleId),
    ...s.databases.flatMap((d) => d.findings.map((f) => f.ruleId)),
  ]);
}

async function assess(catalog: ScriptedCatalog): Promise<AssessmentReport> {
  const report = await assessLive(scriptCatalog({ databases: [{ name: 'Sales' }], ...catalog }));
  expect(report.errors).toEqual([]);
  return report;
}

describe('rules detected live', () => {
  for (const c of liveRuleCases)
    describe(`${c.ruleId}: ${c.name}`, () => {
      it('fires on the catalog rows', async () => {
        expect(ruleIds(await assess(c.trigger))).toContain(c.ruleId);
      });
      it('stays silent on the near-miss', async () => {
        expect(ruleIds(await assess(c.nearMiss))).not.toContain(c.ruleId);
      });
    });

  it('has a case for every rule whose evidence is in the catalog', () => {
    const covered = new Set(liveRuleCases.map((c) => c.ruleId));
    const live = assessmentRules.filter((r) => r.detection !== 'scripts').map((r) => r.id);
    expect(live.filter((id) => !covered.has(id))).toEqual([]);
  });
});
