/**
 * BENCH SUPPORT — the embedded service in its own process, as `sqlmig up` runs it: the benchmark's
 * load (files arriving, API clients) then runs beside it, not inside its event loop.
 * `SQLMIG_BENCH_CPU_PROF=DIR` writes a V8 CPU profile of each service process into DIR.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ProcessStats {
  readonly wallMs: number;
  /** User and system CPU time of the service process. */
  readonly cpuMs: number;
  /** Share of the time its event loop was busy (0 to 1). */
  readonly eventLoopUtilization: number;
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly rssBytes: number;
}

export type ParentMessage = { readonly kind: 'stop' };
export type ChildMessage =
  | { readonly kind: 'ready'; readonly url: string; readonly token: string }
  | { readonly kind: 'stopped'; readonly stats: ProcessStats };

export interface ServiceProcess {
  readonly url: string;
  readonly token: string;
  /** Closes the service and ends the process; what it spent since it was ready. */
  stop(): Promise<ProcessStats>;
  /** Ends the process at once (after a failure). */
  kill(): void;
}

const main = fileURLToPath(new URL('./embedded-process-main.ts', import.meta.url));

export async function startServiceProcess(dataDir: string): Promise<ServiceProcess> {
  const profile = process.env.SQLMIG_BENCH_CPU_PROF;
  const child = fork(main, [], {
    // The parent's flags carry tsx's loader (npm run bench runs under tsx).
    execArgv: [
      ...process.execArgv,
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    ],
    env: { ...process.env, SQLMIG_BENCH_DATA_DIR: dataDir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await next(child, 'ready');
  return {
    url: ready.url,
    token: ready.token,
    async stop() {
      const stopped = next(child, 'stopped');
      child.send({ kind: 'stop' } satisfies ParentMessage);
      const { stats } = await stopped;
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else
          child.once('exit', () => {
            resolve();
          });
      });
      return stats;
    },
    kill() {
      if (child.exitCode === null) child.kill();
    },
  };
}

function next<K extends ChildMessage['kind']>(
  child: ChildProcess,
  kind: K,
): Promise<Extract<ChildMessage, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage): void => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<ChildMessage, { kind: K }>);
    };
    const onExit = (code: number | null): void => {
      child.off('message', onMessage);
      reject(new Error(`the service process ended (exit code ${String(code)}) before "${kind}"`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
