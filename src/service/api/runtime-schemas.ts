/**
 * The shapes of the integration runtime's calls (`/ir/v1/…`): registration with an auth key, then
 * heartbeats and work under leases with the node's own credential. Job inputs and results are checked
 * by `runtime-protocol/`, not here: to the HTTP layer they are JSON objects.
 */
import { z } from '@hono/zod-openapi';

const nodeName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (not starting with . or -)');

const count = z.number().min(0).nullable();

export const Monitoring = z
  .object({
    availableMemoryInMB: count,
    cpuUtilization: count,
    concurrentJobsLimit: count,
    concurrentJobsRunning: count,
    maxConcurrentJobs: count,
    sentBytes: count,
    receivedBytes: count,
  })
  .partial()
  .openapi('NodeMonitoring');

export const RegisterNode = z
  .object({ nodeName, monitoring: Monitoring.optional() })
  .openapi('RegisterNode');

export const NodeRegistered = z
  .object({
    serviceName: z.string(),
    nodeName: z.string(),
    credential: z
      .string()
      .openapi({ description: "The node's own credential for its later calls; shown once." }),
    heartbeatIntervalMs: z.number(),
    leaseMs: z.number(),
  })
  .openapi('NodeRegistered');

export const Heartbeat = z.object({ monitoring: Monitoring }).openapi('Heartbeat');
export const HeartbeatAccepted = z
  .object({ serviceName: z.string(), nodeName: z.string() })
  .openapi('HeartbeatAccepted');

export const LeaseRequest = z
  .object({
    waitMs: z
      .number()
      .int()
      .min(0)
      .max(30_000)
      .openapi({ description: 'Long poll: wait this long for a job.' }),
  })
  .openapi('LeaseRequest');

const jsonObject = z.record(z.string(), z.unknown());

export const LeaseGranted = z
  .object({
    job: z
      .object({
        leaseId: z.string(),
        kind: z.enum(['list', 'headers', 'upload', 'testConnection']),
        description: z.string(),
        input: jsonObject,
        leaseMs: z.number(),
        attempt: z.number(),
      })
      .nullable(),
  })
  .openapi('LeaseGranted');

export const LeaseParams = z.object({
  leaseId: z.uuid().openapi({ param: { name: 'leaseId', in: 'path' } }),
});

export const ProgressReport = z
  .object({ progress: jsonObject.optional() })
  .openapi('ProgressReport');
export const ProgressAccepted = z
  .object({ outcome: z.enum(['ok', 'canceled']) })
  .openapi('ProgressAccepted');

export const JobOutcome = z
  .union([
    z.object({ result: jsonObject }),
    z.object({ error: z.object({ code: z.string().min(1), message: z.string().min(1) }) }),
  ])
  .openapi('JobOutcome');
export const OutcomeAccepted = z.object({ accepted: z.literal(true) }).openapi('OutcomeAccepted');
