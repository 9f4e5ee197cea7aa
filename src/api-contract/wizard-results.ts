/**
 * What the wizard's assessment and SKU pages receive: the live assessment's report (the same document
 * as `sqlmig assess --json`) and the SKU recommendation with its reasoning per dimension (as `sqlmig
 * sku recommend --json`, without the per-window series). No Node module is used here.
 */
import { z } from '@hono/zod-openapi';

import { SourceConnectionInput } from './migration-sessions.js';

const Readiness = z.enum(['Ready', 'ReadyWithWarnings', 'NotReady']);

const Finding = z.object({
  ruleId: z.string(),
  title: z.string(),
  scope: z.enum(['instance', 'database']),
  category: z.enum(['issue', 'warning']),
  blocksRestore: z.boolean(),
  fix: z.string(),
  docsUrl: z.string(),
  impactedObjects: z.array(
    z.object({
      file: z.string(),
      line: z.number(),
      column: z.number(),
      objectType: z.string().nullable(),
      objectName: z.string().nullable(),
      detail: z.string(),
      database: z.string().optional(),
    }),
  ),
});

export const SourceAssessment = z
  .object({
    schemaVersion: z.literal(1),
    mode: z.enum(['scripts', 'live']),
    target: z.object({ platform: z.string(), tier: z.string() }),
    assessedAt: z.string(),
    servers: z.array(
      z.object({
        name: z.string(),
        readiness: Readiness,
        instance: z
          .object({
            productVersion: z.string(),
            release: z.string(),
            edition: z.string(),
            userDatabases: z.number(),
            assessedDatabases: z.number(),
            assessedBytes: z.number(),
          })
          .optional(),
        instanceFindings: z.array(Finding),
        databases: z.array(
          z.object({
            name: z.string(),
            readiness: Readiness,
            counts: z.object({ blocking: z.number(), issues: z.number(), warnings: z.number() }),
            findings: z.array(Finding),
          }),
        ),
      }),
    ),
    errors: z.array(z.object({ file: z.string(), code: z.string(), message: z.string() })),
  })
  .openapi('SourceAssessment');

const Candidate = z.object({
  tier: z.string(),
  hardware: z.string(),
  vCores: z.number(),
  storageGB: z.number(),
  monthlyCost: z.number().optional(),
  fits: z.boolean(),
  checks: z.array(
    z.object({
      dimension: z.string(),
      passed: z.boolean(),
      needed: z.string(),
      offered: z.string(),
    }),
  ),
});

export const SkuRecommendationRequest = z
  .object({
    perfDataFolder: z.string().min(1).max(4096),
    percentile: z.union([
      z.literal(99),
      z.literal(97),
      z.literal(95),
      z.literal(90),
      z.literal(75),
      z.literal(50),
    ]),
    scalingFactorPercent: z.number().int().min(1).max(1000),
  })
  .openapi('SkuRecommendationRequest');

export const SkuRecommendationResult = z
  .object({
    generatedAt: z.string(),
    perfData: z.object({
      folder: z.string(),
      server: z.string(),
      firstWindow: z.string().optional(),
      lastWindow: z.string().optional(),
      windows: z.number(),
      sampledMinutes: z.number(),
    }),
    method: z.object({ percentile: z.number(), scalingFactor: z.number() }),
    basis: z.enum(['price', 'size']),
    status: z.enum(['Recommended', 'TooLittleData', 'NoSkuFits']),
    summary: z.string(),
    confidence: z.object({
      expectedSamples: z.number(),
      presentSamples: z.number(),
      share: z.number(),
      stars: z.number(),
    }),
    requirements: z.record(z.string(), z.unknown()).openapi({
      description: 'What the workload needs (vCores, memoryGB, storageUsedGB, iops, …).',
    }),
    recommendation: Candidate.optional(),
    ruledOut: z.array(Candidate),
    notices: z.array(z.string()),
  })
  .openapi('SkuRecommendation');

export const PerfCollectionRequest = z
  .object({
    connection: SourceConnectionInput,
    perfDataFolder: z.string().min(1).max(4096),
  })
  .openapi('PerfCollectionRequest');

export const PerfCollectionStatus = z
  .object({
    id: z.string(),
    /** The folder written to, made absolute. */
    folder: z.string(),
    serverName: z.string(),
    state: z.enum(['ready', 'running', 'stopping', 'stopped', 'failed']),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    samplesTaken: z.number(),
    windowsWritten: z.number(),
    /** Until the current 10-minute window is written, while running. */
    nextWriteInMs: z.number().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .openapi('PerfCollection');

export const PerfCollectionParams = z.object({
  collectionId: z.uuid().openapi({ param: { name: 'collectionId', in: 'path' } }),
});

export type PerfCollectionStatus = z.infer<typeof PerfCollectionStatus>;
export type SourceAssessment = z.infer<typeof SourceAssessment>;
export type SkuRecommendationRequest = z.input<typeof SkuRecommendationRequest>;
export type SkuRecommendationResult = z.infer<typeof SkuRecommendationResult>;
