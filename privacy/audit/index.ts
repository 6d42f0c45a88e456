/** privacy/audit: empirical lower bounds on ε from distinguishing attacks on neighbouring inputs. */
export { clopperPearsonLower, clopperPearsonUpper } from "./clopper-pearson.js";
export { type AuditResult, attackAuc, auditThresholdAttack, epsilonLowerBoundFromCounts } from "./epsilon-lower-bound.js";
