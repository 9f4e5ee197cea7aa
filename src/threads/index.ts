/**
 * Worker threads that run one of sqlmig's own modules. The public face of `threads/`: nothing
 * outside this folder imports its other files (it has none).
 */
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (no extension) beside the module at `besideUrl`
 * (the caller's `import.meta.url`): the compiled `.js` when sqlmig runs from its build; or, when it
 * runs from its TypeScript sources (tests, benchmarks under tsx), the `.ts` one, loaded after
 * registering tsx in the thread.
 */
export function startModuleWorker(besideUrl: string, name: string, workerData: unknown): Worker {
  if (!besideUrl.endsWith('.ts'))
    return new Worker(new URL(`./${name}.js`, besideUrl), { workerData });
  const entry = new URL(`./${name}.ts`, besideUrl).href;
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData });
}
