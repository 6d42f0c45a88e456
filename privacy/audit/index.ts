/**
 * privacy/audit: empirical lower bounds on ε from distinguishing attacks on neighbouring inputs.
 * (The synthesizer helpers, canary-tables.ts and synthesizer-scores.ts, import generators/ and are
 * used by the audit tests and the bench only; privacy/index.ts does not re-export this folder.)
 */
export { clopperPearsonLower, clopperPearsonUpper } from "./clopper-pearson.js";
export { type AuditResult, attackAuc, auditThresholdAttack, epsilonLowerBoundFromCounts } from "./epsilon-lower-bound.js";
