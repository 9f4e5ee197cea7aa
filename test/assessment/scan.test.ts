/**
 * Assessing a script: objects and lines, code in EXEC and sp_executesql strings, batches, USE.
 */
import { describe, expect, it } from 'vitest';

import { assessScriptText } from '../../src/assessment/index.js';

describe('assessScriptText', () => {
  it('names the object and the line of each hit, per batch', () => {
    const sql = [
      'CREATE PROCEDURE [dbo].[LoadOrders] AS', // 1
      'BEGIN', // 2
      '  CREATE TABLE #stage (id int)', // 3
      "  EXEC master..xp_cmdshell 'dir'", // 4
      'END', // 5
      'GO', // 6
      'CREATE VIEW Sales.vOld AS', // 7
      'SELECT a.x FROM a, b WHERE a.id *= b.id', // 8
      'GO', // 9
      "RAISERROR 50001 'loose'", // 10
    ].join('\n');
    const hits = assessScriptText(sql);
    expect(hits.map((h) => [h.ruleId, h.line, h.object?.type, h.object?.name])).toEqual([
      ['XpCmdshell', 4, 'PROCEDURE', 'dbo.LoadOrders'],
      ['NonANSILeftOuterJoinSyntax', 8, 'VIEW', 'Sales.vOld'],
      ['RAISERROR', 10, undefined, undefined],
    ]);
    expect(hits[0]?.column).toBe(16);
  });

  it('assesses the code in EXEC(…) strings, concatenated or not, with the string’s line', () => {
    const sql = [
      'CREATE PROC dbo.Dyn AS',
      "DECLARE @s nvarchar(max) = N'EXEC xp_cmdshell ''not run'''", // a plain string: not assessed
      "EXEC ('SELECT 1' + ' FROM a, b WHERE a.x *= b.x')", // 3
      "EXECUTE (N'SELECT 1", // 4
      "RAISERROR 50001 ''from dynamic sql''')", // 5
      "EXEC (@s + 'BEGIN DISTRIBUTED TRAN')", // 6
    ].join('\n');
    expect(assessScriptText(sql).map((h) => [h.ruleId, h.line, h.object?.name])).toEqual([
      ['NonANSILeftOuterJoinSyntax', 3, 'dbo.Dyn'],
      ['RAISERROR', 5, 'dbo.Dyn'],
      ['MIHomogeneousMSDTCTransactSQL', 6, 'dbo.Dyn'],
    ]);
  });

  it('assesses sp_executesql statements, positional or @stmt =, nested in EXEC strings too', () => {
    const sql = [
      "EXEC sp_executesql N'SELECT * FROM t WITH (FASTFIRSTROW)'",
      "EXEC @rc = sys.sp_executesql @stmt = N'EXEC xp_cmdshell ''dir''', @params = N''",
      "EXEC ('EXEC sp_executesql N''SET DISABLE_DEF_CNST_CHK ON''')",
      "EXEC ('EXEC xp_cmdshell ''dir''') AT RemoteServer",
    ].join('\n');
    expect(assessScriptText(sql).map((h) => [h.ruleId, h.line])).toEqual([
      ['FastFirstRowHint', 1],
      ['XpCmdshell', 2],
      ['DisableDefCNSTCHK', 3],
    ]);
  });

  it('keeps the object given for a whole text (a .dacpac body)', () => {
    const hits = assessScriptText('SELECT 1\nEXEC xp_cmdshell', {
      object: { type: 'PROCEDURE', name: 'dbo.p' },
    });
    expect(hits).toEqual([
      expect.objectContaining({ line: 2, object: { type: 'PROCEDURE', name: 'dbo.p' } }),
    ]);
  });

  it('tells the database a USE statement switched to', () => {
    const hits = assessScriptText('USE [Sales]\nGO\nEXEC xp_cmdshell\nUSE Hr\nEXEC xp_cmdshell');
    expect(hits.map((h) => h.database)).toEqual(['Sales', 'Hr']);
  });

  it('does not take a temp table inside a procedure for the object', () => {
    const hits = assessScriptText('CREATE PROCEDURE p AS\nCREATE TABLE #t (next int)');
    expect(hits).toEqual([
      expect.objectContaining({ ruleId: 'NextColumn', object: { type: 'PROCEDURE', name: 'p' } }),
    ]);
  });
});
