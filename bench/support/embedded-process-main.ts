/**
 * BENCH SUPPORT — the child process of `embedded-process.ts`: starts the embedded service with its
 * default settings (only the data folder and a free port are given), reports its URL and token, and
 * on `stop` reports what the process spent (CPU, event loop) before closing the service.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import { startEmbeddedService } from '../../src/cli/embedded-service.js';

import type { ChildMessage, ProcessStats } from './embedded-process.js';

const dataDir = process.env.SQLMIG_BENCH_DATA_DIR;
if (!dataDir || !process.send) throw new Error('run by bench/support/embedded-process.ts only');
const send = (message: ChildMessage): void => {
  process.send?.(message);
};

const service = await startEmbeddedService({ dataDir, port: 0 });
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const elu = performance.eventLoopUtilization();
const cpu = process.cpuUsage();
const started = performance.now();
send({ kind: 'ready', url: service.url, token: service.token });

// The only message is `stop`.
process.once('message', () => {
  delay.disable();
  const used = process.cpuUsage(cpu);
  const stats: ProcessStats = {
    wallMs: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
    loopDelayP50Ms: delay.percentile(50) / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
    rssBytes: process.memoryUsage().rss,
  };
  void service
    .close()
    .catch((error: unknown) => {
      console.error(`bench: closing the service failed: ${String(error)}`);
    })
    .finally(() => {
      send({ kind: 'stopped', stats });
      process.disconnect();
      // Ends the process should a handle outlive the service (a CPU profile is still written).
      setTimeout(() => process.exit(0), 2_000).unref();
    });
});
