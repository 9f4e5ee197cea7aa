/**
 * The queue of the runtime nodes' jobs: leases per service, renewal, expiry handing the job to another
 * node, late results refused, cancels, and jobs no node takes.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { afterEach, describe, expect, it } from 'vitest';

import {
  RuntimeJobError,
  WorkQueue,
  type LeasedJob,
} from '../../../src/service/runtime-hub/index.js';

const spec = (n: number) => ({
  kind: 'list' as const,
  description: `list folder ${n}`,
  input: { location: { path: `/backups/${n}` } },
});

let queue: WorkQueue;

/** The job leased now, failing the test when there is none. */
async function leased(service: string, node: string): Promise<LeasedJob> {
  const job = await queue.lease(service, node, 0);
  if (!job) throw new Error(`no job for ${node} of ${service}`);
  return job;
}
afterEach(() => {
  queue.close();
});

describe('WorkQueue', () => {
  it('gives jobs to nodes of their own service, oldest first, and settles with the result', async () => {
    queue = new WorkQueue({ leaseMs: 5_000 });
    const first = queue.submit('east', spec(1));
    const second = queue.submit('east', spec(2));
    const other = queue.submit('west', spec(3));
    const a = await leased('east', 'node-a');
    const b = await leased('east', 'node-b');
    expect(await queue.lease('east', 'node-c', 0)).toBeNull();
    expect(a).toMatchObject({ kind: 'list', description: 'list folder 1', attempt: 1 });
    expect(b.description).toBe('list folder 2');
    expect(queue.counts('east')).toEqual({ queued: 0, leased: 2 });
    expect(queue.counts('west')).toEqual({ queued: 1, leased: 0 });
    expect(queue.complete(a.leaseId, 'node-a', { result: { files: [] } })).toBe(true);
    expect(
      queue.complete(b.leaseId, 'node-b', { error: { code: 'ReadFailed', message: 'no' } }),
    ).toBe(true);
    await expect(first).resolves.toEqual({ files: [] });
    await expect(second).rejects.toMatchObject({
      code: 'ReadFailed',
      message: 'no (integration runtime node node-b)',
    });
    const w = await leased('west', 'node-w');
    expect(w.description).toBe('list folder 3');
    queue.complete(w.leaseId, 'node-w', { result: {} });
    await other;
  });

  it('hands a job submitted later to a node already waiting (long poll)', async () => {
    queue = new WorkQueue();
    const waiting = queue.lease('east', 'node-a', 5_000);
    const result = queue.submit('east', spec(1));
    const job = await waiting;
    expect(job?.description).toBe('list folder 1');
    queue.complete(job?.leaseId ?? '', 'node-a', { result: { ok: 1 } });
    await expect(result).resolves.toEqual({ ok: 1 });
    const started = Date.now();
    expect(await queue.lease('east', 'node-a', 100)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("moves a job whose lease expired to another node, and refuses the first node's late result", async () => {
    queue = new WorkQueue({ leaseMs: 200 });
    const progress: unknown[] = [];
    const result = queue.submit('east', spec(1), { onProgress: (p) => progress.push(p) });
    const first = await leased('east', 'node-a');
    expect(queue.renew(first.leaseId, 'node-a', { dataRead: 10, dataWritten: 5 })).toBe('ok');
    expect(progress).toEqual([{ dataRead: 10, dataWritten: 5 }]);
    // node-a goes silent: its lease expires and the job goes back, first in line.
    queue.submit('east', spec(2)).catch(() => undefined);
    await sleep(300);
    queue.expire();
    const second = await leased('east', 'node-b');
    expect(second).toMatchObject({ description: 'list folder 1', attempt: 2 });
    expect(queue.renew(first.leaseId, 'node-a')).toBe('lost');
    expect(queue.complete(first.leaseId, 'node-a', { result: { from: 'a' } })).toBe(false);
    // Another node cannot use a lease it does not hold.
    expect(queue.renew(second.leaseId, 'node-a')).toBe('lost');
    expect(queue.complete(second.leaseId, 'node-b', { result: { from: 'b' } })).toBe(true);
    await expect(result).resolves.toEqual({ from: 'b' });
  });

  it('fails a job no node takes in time, naming the service and what to start', async () => {
    queue = new WorkQueue({ leaseWithinMs: 100 });
    const result = queue.submit('east', spec(1)).catch((e: unknown) => e);
    await sleep(150);
    queue.expire();
    const error = await result;
    expect(error).toBeInstanceOf(RuntimeJobError);
    expect(error).toMatchObject({ code: 'RuntimeUnavailable' });
    expect((error as Error).message).toContain('service east');
    expect((error as Error).message).toContain('sqlmig runtime --service URL --auth-key KEY');
    expect(queue.counts('east')).toEqual({ queued: 0, leased: 0 });
  });

  it('cancels a queued job at once, and a leased one when its node acknowledges', async () => {
    queue = new WorkQueue();
    const queuedStop = new AbortController();
    const queued = queue.submit('east', spec(1), { signal: queuedStop.signal });
    queuedStop.abort(new Error('migration canceled'));
    await expect(queued).rejects.toThrow('migration canceled');
    expect(await queue.lease('east', 'node-a', 0)).toBeNull();

    const leasedStop = new AbortController();
    let settled = false;
    const running = queue.submit('east', spec(2), { signal: leasedStop.signal }).finally(() => {
      settled = true;
    });
    running.catch(() => undefined);
    const job = await leased('east', 'node-a');
    leasedStop.abort(new Error('migration canceled'));
    await sleep(20);
    expect(settled).toBe(false); // the node may still be writing
    expect(queue.renew(job.leaseId, 'node-a')).toBe('canceled');
    expect(
      queue.complete(job.leaseId, 'node-a', { error: { code: 'Aborted', message: 'stopped' } }),
    ).toBe(true);
    await expect(running).rejects.toThrow('migration canceled');
  });

  it('gives the jobs of a removed node to the others and ends its waits', async () => {
    queue = new WorkQueue();
    const result = queue.submit('east', spec(1));
    const held = await leased('east', 'node-a');
    const waiting = queue.lease('east', 'node-a', 5_000);
    queue.dropNode('east', 'node-a');
    expect(await waiting).toBeNull();
    expect(queue.renew(held.leaseId, 'node-a')).toBe('lost');
    const again = await leased('east', 'node-b');
    expect(again.description).toBe('list folder 1');
    queue.complete(again.leaseId, 'node-b', { result: {} });
    await expect(result).resolves.toEqual({});
  });

  it('fails what is queued or leased when the service stops', async () => {
    queue = new WorkQueue();
    const queued = queue.submit('east', spec(1));
    const running = queue.submit('east', spec(2));
    await leased('east', 'node-a');
    queue.close();
    await expect(queued).rejects.toMatchObject({ code: 'ServiceStopping' });
    await expect(running).rejects.toMatchObject({ code: 'ServiceStopping' });
    await expect(queue.submit('east', spec(3))).rejects.toMatchObject({ code: 'ServiceStopping' });
  });

  it('refuses options that are not positive', () => {
    expect(() => new WorkQueue({ leaseMs: 0 })).toThrow('leaseMs must be a positive number');
    queue = new WorkQueue();
  });
});
