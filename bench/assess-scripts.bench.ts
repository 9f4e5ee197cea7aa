/**
 * Benchmark: the offline assessment of ~100 MB of T-SQL (procedures, views, tables, comments,
 * strings, dynamic SQL, a few findings), against a baseline measured in the same run that only reads
 * and tokenizes the same files.
 *
 * Targets (issue 7): the assessment under 10 seconds, and at most 3 times the tokenizer alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { assessScripts, decodeScript, tokenize } from '../src/assessment/index.js';
import { seededRandom, type SeededRandom } from '../test/support/seeded-random.js';
import { bestOf, type BenchOutcome } from './support/bench-kit.js';

const totalBytes = 100 * 1024 * 1024;
const fileBytes = 1024 * 1024;
const maxSeconds = 10;
const maxRatio = 3;
const repetitions = 3;

export async function assessScriptsBench(): Promise<BenchOutcome> {
  const folder = join(process.env.SQLMIG_BENCH_DIR ?? tmpdir(), 'sqlmig-bench-assess-scripts');
  await prepare(folder);
  const files = (await readdir(folder))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => join(folder, f));
  console.log(`assess-scripts: ${files.length} files of ~1 MiB in ${folder}`);

  const tokenizeAll = async (): Promise<number> => {
    let tokens = 0;
    for (const file of files) tokens += tokenize(decodeScript(await readFile(file))).length;
    return tokens;
  };
  const assessAll = () => assessScripts([folder], { database: 'Bench' });

  // Warm the page cache and the JIT once for both sides.
  await tokenizeAll();
  await assessAll();
  const baseline = await bestOf(repetitions, tokenizeAll);
  const assessment = await bestOf(repetitions, assessAll);

  const report = assessment.value;
  const db = report.servers[0]?.databases[0];
  const found = db?.findings.map((f) => `${f.ruleId} ${f.impactedObjects.length}`).join(', ') ?? '';
  const mb = report.sources.bytes / 2 ** 20;
  const ratio = assessment.ms / baseline.ms;
  const passed = assessment.ms <= maxSeconds * 1000 && ratio <= maxRatio;
  console.log(
    [
      `  baseline (read + decode + tokenize, best of ${repetitions}): ${fmt(baseline.ms)} ms for ${mb.toFixed(1)} MiB, ${baseline.value} tokens = ${(mb / (baseline.ms / 1000)).toFixed(1)} MiB/s`,
      `  assessment (read + tokenize + rules + report):   ${fmt(assessment.ms)} ms = ${(mb / (assessment.ms / 1000)).toFixed(1)} MiB/s    ratio ${ratio.toFixed(2)}x (target <= ${maxRatio}x, <= ${maxSeconds} s)`,
      `  findings: ${found}`,
    ].join('\n'),
  );
  return { name: 'assess-scripts', passed };
}

async function prepare(folder: string): Promise<void> {
  const marker = join(folder, '.complete');
  if (existsSync(marker)) return;
  console.log(`assess-scripts: writing ${totalBytes / 2 ** 20} MiB of T-SQL into ${folder} (once)`);
  await mkdir(folder, { recursive: true });
  const random = seededRandom(7);
  let object = 0;
  for (let index = 0; index * fileBytes < totalBytes; index++) {
    const parts: string[] = [];
    let size = 0;
    while (size < fileBytes) {
      const part = scriptObject(random, object++);
      parts.push(part);
      size += part.length;
    }
    await writeFile(join(folder, `schema-${String(index).padStart(3, '0')}.sql`), parts.join(''));
  }
  await writeFile(marker, '');
}

const columns = ['OrderId', 'CustomerId', 'Amount', 'Status', 'CreatedAt', 'Note', 'Region', 'Qty'];
const tables = [
  'dbo.Orders',
  'dbo.Customers',
  '[Sales].[OrderLines]',
  'dbo.Products',
  'Hr.[Employee Data]',
];

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.below(items.length)] as T;
}

/** One object's script; about one in fifty uses something the rules report. */
function scriptObject(random: SeededRandom, n: number): string {
  const table = pick(random, tables);
  const col = (): string => pick(random, columns);
  const kind = random.below(10);
  if (kind < 2) {
    return `/* Table ${n}\n   /* nested note: keep in sync with the ETL */ */\nCREATE TABLE dbo.T${n} (\n  Id int IDENTITY(1,1) NOT NULL PRIMARY KEY,\n  [Name] nvarchar(100) NOT NULL DEFAULT (N'unknown'),\n  Amount decimal(18, 2) NULL,\n  CreatedAt datetime2 NOT NULL DEFAULT (sysutcdatetime())${random.below(50) === 0 ? ',\n  next int NULL' : ''}\n);\nGO\n`;
  }
  if (kind < 4) {
    return `-- View ${n}: reporting\nCREATE VIEW dbo.V${n}\nAS\nSELECT o.${col()}, c.${col()}, SUM(o.Amount) AS Total\nFROM ${table} AS o\nINNER JOIN dbo.Customers AS c ON c.CustomerId = o.CustomerId\nWHERE o.Status <> 'cancelled' AND o.Note NOT LIKE '%EXEC xp_cmdshell%'\nGROUP BY o.${col()}, c.${col()};\nGO\n`;
  }
  const lines: string[] = [
    `/*****************************************************************\n * Procedure ${n}: loads and reconciles orders.\n * History: 2019 rewritten; -- old notes kept\n *****************************************************************/`,
    `CREATE PROCEDURE [dbo].[usp_Load${n}] @from datetime2, @to datetime2, @region nvarchar(20) = N'EU'`,
    'AS',
    'BEGIN',
    '  SET NOCOUNT ON;',
    '  DECLARE @rows int = 0, @msg nvarchar(400);',
    `  CREATE TABLE #work (Id int, ${col()} nvarchar(50), Amount money);`,
  ];
  const statements = 8 + random.below(12);
  for (let s = 0; s < statements; s++) {
    switch (random.below(6)) {
      case 0:
        lines.push(
          `  INSERT INTO #work (Id, ${col()}, Amount)\n  SELECT o.OrderId, o.${col()}, o.Amount * 1.2\n  FROM ${table} AS o WITH (NOLOCK)\n  WHERE o.CreatedAt >= @from AND o.CreatedAt < @to AND o.Region = @region; -- window`,
        );
        break;
      case 1:
        lines.push(
          `  UPDATE w SET w.Amount = w.Amount - 0.5\n  FROM #work AS w\n  JOIN ${table} AS t ON t.OrderId = w.Id\n  WHERE t.Status IN ('open', 'held', 'it''s late');`,
        );
        break;
      case 2:
        lines.push(
          `  SET @msg = N'Loaded ' + CAST(@rows AS nvarchar(10)) + N' rows for ' + @region;\n  PRINT @msg;`,
        );
        break;
      case 3:
        lines.push(
          `  IF @rows > 1000\n  BEGIN\n    RAISERROR(N'Too many rows: %d', 16, 1, @rows);\n    RETURN 1;\n  END`,
        );
        break;
      case 4:
        lines.push(
          `  EXEC sp_executesql N'SELECT COUNT(*) FROM ${table.replace(/'/g, "''")} WHERE Region = @r', N'@r nvarchar(20)', @r = @region;`,
        );
        break;
      default:
        lines.push(
          `  SELECT @rows = COUNT(*) FROM #work; /* count /* twice */ */\n  DELETE FROM #work WHERE Amount IS NULL;`,
        );
    }
  }
  const finding = random.below(50);
  if (finding === 0)
    lines.push(
      `  SELECT a.OrderId FROM dbo.Orders a, dbo.Customers b WHERE a.CustomerId *= b.CustomerId;`,
    );
  if (finding === 1) lines.push(`  EXEC master..xp_cmdshell 'dir D:\\exports';`);
  if (finding === 2) lines.push(`  RAISERROR 50001 'legacy';`);
  if (finding === 3) lines.push(`  EXEC ('BACKUP DATABASE Sales TO DISK = ''D:\\bak\\s.bak''');`);
  lines.push('  DROP TABLE #work;', '  RETURN 0;', 'END', 'GO', '');
  return lines.join('\n');
}

function fmt(ms: number): string {
  return ms.toFixed(0);
}
