/**
 * Restore planning: which backups restore a database, in which order, and why every other file is
 * left out. The public face of `planning/`.
 */
export { RestorePlanner } from './restore-planner.js';
export { buildPlanReport, planReportJson } from './plan-report.js';
export type { PlanOptions, PlanReport, RestoreTarget } from './plan-report.js';
export { managedInstanceLayoutProblems, uploadName } from './target-layout.js';
export type { LayoutCode, LayoutProblem } from './target-layout.js';
export { ignoreReasons } from './reasons.js';
export type { Ignored, IgnoreReason } from './reasons.js';
export type {
  DatabasePlan,
  DatabaseStatus,
  PlannerFile,
  PlannerHeader,
  PlannerOptions,
  RestoreStep,
  StepType,
  WaitingFor,
} from './types.js';
