/**
 * The assessment module's public face: the rules as data, the T-SQL tokenizer, the offline
 * (scripts and .dacpac) assessment, the live assessment over a SQL connection, and their reports.
 */
export type { AssessmentRule, RuleDetection, ServiceTier } from './rules/rule.js';
export { serviceTiers } from './rules/rule.js';
export { assessmentRules, ruleAppliesTo, ruleById } from './rules/catalog.js';
export type { Token, TokenKind } from './tsql/token.js';
export { tokenize, type TokenizeOptions } from './tsql/tokenizer.js';
export { decodeScript, detectEncoding, type ScriptEncoding } from './tsql/decode.js';
export type { ScriptHit, SqlObjectRef } from './detect/scan-state.js';
export { assessScriptText, type AssessScriptOptions } from './detect/scan-script.js';
export { readDacpac, type DacpacContents } from './sources/dacpac.js';
export { scriptSources, type SourceItem } from './sources/script-sources.js';
export { assessScripts, type AssessScriptsOptions } from './assess-scripts.js';
export { assessLive, type AssessLiveOptions, type LiveProgress } from './assess-live.js';
export type {
  AssessmentReport,
  DatabaseAssessment,
  Finding,
  ImpactedObject,
  InstanceSummary,
  Readiness,
  ServerAssessment,
} from './report/report.js';
export { renderAssessmentText } from './report/text.js';
export { renderAssessmentHtml, escapeHtml } from './report/html.js';
export { AssessmentError, type AssessmentErrorCode } from './errors.js';
