/**
 * `sqlmig up --open` hands the dashboard's plain address to the desktop's opener (`xdg-open` on
 * Linux, here test/support's stand-in, which writes down what it was given): never the token. Runs
 * the built command (`npm run build`).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { openerStandIn } from '../support/opener-stand-in.js';
import { killAll, startService, waitFor } from '../support/service-process.js';

afterAll(killAll);

it.skipIf(process.platform !== 'linux')(
  'sqlmig up --open opens the dashboard address, without the token',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'sqlmig-open-'));
    try {
      const opener = await openerStandIn(root);
      const dataDir = join(root, 'data');
      const service = await startService({
        dataDir,
        args: ['--open'],
        env: { PATH: `${opener.binFolder}:${process.env['PATH'] ?? ''}` },
      });
      try {
        const args = await waitFor('the opener to be run', () => opener.given());
        expect(args).toBe(`${service.url}/\n`);
        const token = (await readFile(join(dataDir, 'service.token'), 'utf8')).trim();
        expect(args).not.toContain(token);
        expect(service.output()).not.toContain(token);
      } finally {
        await service.stop();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
);
