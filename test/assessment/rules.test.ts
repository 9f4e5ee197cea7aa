/**
 * Every rule detected in scripts fires on its triggers and stays silent on its near-misses; the
 * rules' data is complete.
 */
import { describe, expect, it } from 'vitest';

import { assessScriptText, assessmentRules, ruleById } from '../../src/assessment/index.js';
import { ruleCases } from './rule-cases.js';

const firedIds = (sql: string): string[] => assessScriptText(sql).map((h) => h.ruleId);

describe('rules detected in scripts', () => {
  for (const { ruleId, triggers, nearMisses } of ruleCases) {
    describe(ruleId, () => {
      it.each(triggers)('fires on %s', (sql) => {
        expect(firedIds(sql)).toContain(ruleId);
      });
      it.each(nearMisses)('stays silent on %s', (sql) => {
        expect(firedIds(sql)).not.toContain(ruleId);
      });
    });
  }

  it('has a case for every rule that scripts can detect', () => {
    const covered = new Set(ruleCases.map((c) => c.ruleId));
    const detectable = assessmentRules.filter((r) => r.detection !== 'live').map((r) => r.id);
    expect(detectable.filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe('the rules as data', () => {
  it('holds every rule Microsoft lists for Managed Instance, plus sqlmig’s own', () => {
    const microsoft = assessmentRules.filter((r) => r.origin === 'microsoft').map((r) => r.id);
    expect(microsoft).toHaveLength(34);
    expect(microsoft).toEqual(
      expect.arrayContaining(['AnalysisCommandJob', 'XpCmdshell', 'NumDbExceeds100', 'TraceFlags']),
    );
    expect(ruleById('MemoryOptimizedTables').tiers).toEqual([
      'GeneralPurpose',
      'NextGenGeneralPurpose',
    ]);
  });

  it('gives every rule an id, a title, a fix and a Microsoft Learn link; ids are unique', () => {
    expect(new Set(assessmentRules.map((r) => r.id)).size).toBe(assessmentRules.length);
    for (const rule of assessmentRules) {
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.detects.length).toBeGreaterThan(10);
      expect(rule.fix.length).toBeGreaterThan(10);
      expect(rule.docsUrl).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    }
  });

  it('marks exactly FileStream, MultipleLogFiles, MIDatabaseSize and MemoryOptimizedTables (General Purpose) as blocking the restore', () => {
    expect(
      assessmentRules
        .filter((r) => r.blocksRestore)
        .map((r) => r.id)
        .sort(),
    ).toEqual(['FileStream', 'MIDatabaseSize', 'MemoryOptimizedTables', 'MultipleLogFiles']);
  });

  it('keeps the instance-only rules as live rules', () => {
    for (const id of [
      'TraceFlags',
      'NumDbExceeds100',
      'MIInstanceSize',
      'MIDatabaseSize',
      'InstanceObjectsNotMigrated',
    ])
      expect(ruleById(id).detection).toBe('live');
  });
});
