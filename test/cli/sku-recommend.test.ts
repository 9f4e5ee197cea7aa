/**
 * `sqlmig sku recommend`, run as a user runs it (the built command in a child process), over the
 * corpus's perf data: the text and JSON reports, the HTML file, a usage error.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../support/corpus.js';
import {
  hasPerfDataCorpus,
  perfDataCorpus,
  perfDataSkipReason,
} from '../support/perf-data-corpus.js';

const run = promisify(execFile);
const cli = join(projectRoot, 'dist', 'cli', 'main.js');

async function sqlmig(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [cli, ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: unknown) => e as { code: number; stdout: string; stderr: string },
  );
}

describe.skipIf(!hasPerfDataCorpus)(
  `sqlmig sku recommend (built command; ${perfDataSkipReason})`,
  () => {
    it('recommends from the corpus data as text, JSON and HTML', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sqlmig-sku-cli-'));
      try {
        const html = join(dir, 'report.html');
        const text = await sqlmig([
          'sku',
          'recommend',
          '--perf-data',
          perfDataCorpus,
          '--html',
          html,
        ]);
        expect(text.code).toBe(0);
        expect(text.stdout).toContain(
          'Recommended: General Purpose, standard-series (Gen5), 4 vCores, 32 GB',
        );
        expect(text.stdout).toContain('Confidence: *.... 1/5');
        expect(await readFile(html, 'utf8')).toContain('<svg ');
        const json = await sqlmig([
          'sku',
          'recommend',
          '--perf-data',
          perfDataCorpus,
          '--json',
          '--databases',
          'test1',
        ]);
        const report = JSON.parse(json.stdout) as {
          status: string;
          requirements: { files: number };
        };
        expect(report).toMatchObject({ status: 'Recommended', requirements: { files: 2 } });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses options it cannot use, with exit code 2', async () => {
      const result = await sqlmig([
        'sku',
        'recommend',
        '--perf-data',
        perfDataCorpus,
        '--databases',
        'a',
        '--exclude-databases',
        'b',
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('give --databases or --exclude-databases, not both');
    });
  },
);
