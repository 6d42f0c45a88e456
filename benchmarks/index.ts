/** Public surface of benchmarks/: the scoring library (fidelity, privacy, usefulness, report). */
export { type AlignedTables, alignTables, type ColumnPair } from "./aligned-table.js";
export { csvHeader } from "./csv-table.js";
export { ScoreInputError, SdvMetadataError } from "./errors.js";
export { type ColumnPairTrendsResult, associationRetained, columnPairTrends, type PairTrend } from "./fidelity/column-pair-trends.js";
export { ksComplement, tvComplement } from "./fidelity/column-shapes.js";
export { boundaryAdherence, categoryAdherence, type DiagnosticResult, diagnostic, keyUniqueness, tableStructure } from "./fidelity/diagnostic.js";
export { type ColumnShape, columnShapes, type QualityResult, qualityReport } from "./fidelity/quality-report.js";
export { type RareCombination, type RareCombinationsResult, rareCombinations } from "./fidelity/rare-combinations.js";
export { categoricalCap, disclosureProtection, newRowSynthesis } from "./privacy/attribute-disclosure.js";
export {
  dcrBaselineProtection,
  dcrOverfittingProtection,
  distanceToClosestRecord,
  membershipInference,
  nearestNeighborDistanceRatio,
  rocAuc,
} from "./privacy/distance-metrics.js";
export { renderHtmlReport } from "./report/html-report.js";
export { type PrivacyReport, SCORE_REPORT_FORMAT_VERSION, type ScoreOptions, type ScoreReport, scoreTables } from "./report/score-tables.js";
export { type Verdict, verdict } from "./report/verdict.js";
export { schemaFromSdvMetadata } from "./sdv-metadata.js";
export { mlEfficacy, type UsefulnessResult } from "./usefulness/ml-efficacy.js";
export { type HolderQuality, type MergedQuality, mergeHolderQuality } from "./report/merge-quality.js";
