/**
 * `scoreTables`: the whole benchmark of one synthetic table against the real one — SDMetrics'
 * Quality and Diagnostic reports (identical definitions), the all-pairs trend view, privacy
 * (DCR baseline/overfitting protection, NewRowSynthesis, NNDR, membership inference, CAP /
 * DisclosureProtection) through the native kernels, usefulness (TSTR vs TRTR) and a verdict.
 * Every number goes into one JSON-ready report together with the settings that produced it.
 */
import { activeDevice } from "../../kernels/index.js";
import type { Column, Table } from "../../tabular/index.js";
import { alignTables, type ColumnPair, type DiscreteColumnPair } from "../aligned-table.js";
import { ScoreInputError } from "../errors.js";
import { SeededRandom } from "../seeded-random.js";
import { ASSOCIATION_THRESHOLD, associationRetained, CORRELATION_THRESHOLD } from "../fidelity/column-pair-trends.js";
import { type DiagnosticResult, diagnostic } from "../fidelity/diagnostic.js";
import { type QualityResult, qualityReport } from "../fidelity/quality-report.js";
import { type RareCombinationsResult, rareCombinations } from "../fidelity/rare-combinations.js";
import { type DisclosureProtectionResult, disclosureProtection, newRowSynthesis } from "../privacy/attribute-disclosure.js";
import {
  type BalancedDcrOverfittingResult,
  balancedDcrOverfitting,
  dcrBaselineProtection,
  type MembershipInferenceResult,
  membershipInference,
  type NndrResult,
  nearestNeighborDistanceRatio,
} from "../privacy/distance-metrics.js";
import { mixedRows, rowLayout } from "../privacy/mixed-rows.js";
import { randomBaselineRows } from "../privacy/random-baseline.js";
import { mlEfficacy, type UsefulnessResult } from "../usefulness/ml-efficacy.js";
import { type ColumnDistribution, columnDistributions, type DcrHistogram, dcrHistogram } from "./distributions.js";
import { type Verdict, verdict } from "./verdict.js";

export const SCORE_REPORT_FORMAT_VERSION = 1;
export const NEW_ROW_TOLERANCE = 0.01;

export interface ScoreOptions {
  holdout?: Table;
  targetColumn?: string;
  knownColumns?: string[];
  sensitiveColumns?: string[];
  seed?: number;
  /** Privacy metrics (default true). */
  privacy?: boolean;
  /**
   * Most rows of each table (real, synthetic, holdout) that the all-pairs privacy metrics compare
   * (DCR, NewRowSynthesis, NNDR, membership inference, CAP: O(rows²) work). A larger table is
   * replaced by a seeded uniform sample of this many rows for those metrics only; fidelity and
   * usefulness still see every row. Default: no bound. `settings.privacySampleRows` says what was used.
   */
  privacyMaxRows?: number;
  /**
   * The synthetic table is the first `syntheticRows` rows of an output of this many rows (a
   * generator's rows are independent draws, so any fixed subset is a uniform sample of the whole).
   * Only recorded: the report and its `settings.sampling` sentence say what was scored.
   */
  syntheticRowsWritten?: number;
  /** Usefulness (default: true when `targetColumn` is given). */
  usefulness?: boolean;
  onProgress?(fraction: number, stage: string): void;
}

export interface PrivacyReport {
  dcrBaselineProtection: { score: number; medianDcrSyntheticToReal: number; medianDcrRandomToReal: number; histogram: DcrHistogram };
  dcrOverfittingProtection: BalancedDcrOverfittingResult | null;
  newRowSynthesis: { score: number; newRows: number; matchedRows: number; tolerance: number };
  nndr: NndrResult;
  membershipInference: MembershipInferenceResult | null;
  categoricalCap: { score: number; known: string[]; sensitive: string[] } | null;
  disclosureProtection: DisclosureProtectionResult | null;
}

export interface ScoreReport {
  formatVersion: number;
  generatedAt: string;
  settings: {
    seed: number;
    privacy: boolean;
    usefulness: boolean;
    holdout: boolean;
    targetColumn: string | null;
    knownColumns: string[];
    sensitiveColumns: string[];
    newRowTolerance: number;
    correlationThreshold: number;
    associationThreshold: number;
    reference: string;
    device: string;
    /** Rows of each table the privacy metrics used when `privacyMaxRows` sampled them; null: all rows. */
    privacySampleRows: { real: number; synthetic: number; holdout: number; maxRows: number } | null;
    /** Rows of the generator's output the synthetic table stands for (null: the table is the whole output). */
    syntheticRowsWritten: number | null;
    /** One sentence on which rows each part of the score used: "all rows", or how they were sampled. */
    sampling: string;
    /** Whether every metric used every row of the tables it was given and of the output they stand for (false: `sampling` says how). */
    allRows: boolean;
  };
  tables: { realRows: number; syntheticRows: number; holdoutRows: number; columns: Array<{ name: string; type: string }> };
  quality: QualityResult & { associationRetained: number; pairsMeetingThreshold: number };
  diagnostic: DiagnosticResult;
  /** Logical structure: synthetic rows showing a pair of categories the real table (almost) never shows. */
  rareCombinations: RareCombinationsResult;
  privacy: PrivacyReport | null;
  usefulness: UsefulnessResult | null;
  /** Why usefulness was asked for but not computed (too few rows, a single class, …). */
  usefulnessSkipped: string | null;
  verdict: Verdict;
  distributions: ColumnDistribution[];
  timingsMs: Record<string, number>;
}

function checkColumnNames(columns: ColumnPair[], names: string[] | undefined, flag: string): ColumnPair[] {
  if (names === undefined) return [];
  return names.map((name) => {
    const column = columns.find((c) => c.name === name);
    if (column === undefined) {
      throw new ScoreInputError(`${flag} column "${name}" is not in the tables; columns are: ${columns.map((c) => c.name).join(", ")}.`);
    }
    return column;
  });
}

export async function scoreTables(real: Table, synthetic: Table, options: ScoreOptions = {}): Promise<ScoreReport> {
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new ScoreInputError(`seed must be a finite number, got ${seed}.`);
  const progress = options.onProgress ?? (() => {});
  const timingsMs: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timingsMs[stage] = performance.now() - started;
    return result;
  };

  const aligned = alignTables(real, synthetic, options.holdout);
  const { columns } = aligned;
  const known = checkColumnNames(columns, options.knownColumns, "known");
  const sensitive = checkColumnNames(columns, options.sensitiveColumns, "sensitive");
  if (known.length > 0 !== sensitive.length > 0) {
    throw new ScoreInputError("CAP needs both known and sensitive columns: give both --known and --sensitive, or neither.");
  }
  if (known.some((k) => sensitive.includes(k)))
    throw new ScoreInputError("a column cannot be both known and sensitive: list it in only one of --known / --sensitive.");
  if (options.targetColumn !== undefined) {
    const [target] = checkColumnNames(columns, [options.targetColumn], "target");
    if (target?.kind === "text") {
      throw new ScoreInputError(`target column "${target.name}" is an ${target.type} column: pick a numerical, categorical or boolean column as --target.`);
    }
  }
  const runPrivacy = options.privacy ?? true;
  const privacyMaxRows = options.privacyMaxRows ?? Number.POSITIVE_INFINITY;
  if (!(privacyMaxRows >= 1) || (Number.isFinite(privacyMaxRows) && !Number.isInteger(privacyMaxRows))) {
    throw new ScoreInputError(`privacyMaxRows must be a whole number ≥ 1, got ${options.privacyMaxRows}.`);
  }
  const runUsefulness = (options.usefulness ?? true) && options.targetColumn !== undefined;
  if (options.usefulness === true && options.targetColumn === undefined) {
    throw new ScoreInputError("usefulness needs a target column: give --target <column> (or turn usefulness off).");
  }

  progress(0, "quality");
  const quality = await timed("quality", () => qualityReport(columns, (f) => progress(0.35 * f, "quality")));
  const describe = (table: Table) =>
    table.columns.map((c) => ({ name: c.schema.name, type: c.schema.type === "numerical" ? `numerical/${c.schema.subtype}` : c.schema.type }));
  const diag = await timed("diagnostic", () => diagnostic(columns, { real: describe(real), synthetic: describe(synthetic) }));
  const rare = await timed("rareCombinations", () =>
    rareCombinations(
      columns.filter((c): c is DiscreteColumnPair => c.kind === "discrete"),
      aligned.realRows,
      aligned.syntheticRows,
    ),
  );
  const distributions = columnDistributions(columns);
  progress(0.4, "privacy");

  let privacy: PrivacyReport | null = null;
  let privacySampleRows: ScoreReport["settings"]["privacySampleRows"] = null;
  if (runPrivacy) {
    const sampled = [real, synthetic, options.holdout].some((t) => t !== undefined && t.rowCount > privacyMaxRows);
    // Privacy on seeded samples when a table is over the bound: the aligned columns are rebuilt
    // from the sampled tables, so every privacy metric below sees only them.
    const privacyAligned = sampled
      ? alignTables(
          sampleRows(real, privacyMaxRows, seed),
          sampleRows(synthetic, privacyMaxRows, seed + 1),
          options.holdout === undefined ? undefined : sampleRows(options.holdout, privacyMaxRows, seed + 2),
        )
      : aligned;
    if (sampled) {
      privacySampleRows = {
        real: privacyAligned.realRows,
        synthetic: privacyAligned.syntheticRows,
        holdout: privacyAligned.holdoutRows,
        maxRows: privacyMaxRows,
      };
    }
    const layout = rowLayout(privacyAligned.columns);
    const context = { numericCount: layout.numeric.length, categoricalCount: layout.categorical.length };
    if (context.numericCount + context.categoricalCount === 0) {
      throw new ScoreInputError(
        "no numerical, datetime, categorical or boolean column to measure distances on: turn privacy off (--no-privacy) for a table of ids and text only.",
      );
    }
    const realRows = mixedRows(layout, "real", privacyAligned.realRows);
    const syntheticRows = mixedRows(layout, "synthetic", privacyAligned.syntheticRows);
    const baseline = await timed("dcrBaselineProtection", () =>
      dcrBaselineProtection(realRows, syntheticRows, randomBaselineRows(layout, privacyAligned.syntheticRows, seed), context),
    );
    progress(0.55, "privacy");
    const newRows = await timed("newRowSynthesis", () => newRowSynthesis(syntheticRows, realRows, context, NEW_ROW_TOLERANCE));
    const nndr = await timed("nndr", () => nearestNeighborDistanceRatio(syntheticRows, realRows, context));
    progress(0.65, "privacy");
    let overfitting: BalancedDcrOverfittingResult | null = null;
    let membership: MembershipInferenceResult | null = null;
    if (options.holdout !== undefined) {
      const holdoutRows = mixedRows(layout, "holdout", privacyAligned.holdoutRows);
      overfitting = await timed("dcrOverfittingProtection", () =>
        balancedDcrOverfitting(realRows, syntheticRows, holdoutRows, context, seed + 3, baseline.syntheticDcr),
      );
      membership = await timed("membershipInference", () => membershipInference(realRows, holdoutRows, syntheticRows, context));
    }
    let disclosure: DisclosureProtectionResult | null = null;
    if (known.length > 0) {
      // The sampled tables' own column pairs (same names), not the full tables'.
      const sampledColumn = (c: ColumnPair) => privacyAligned.columns.find((p) => p.name === c.name)!;
      const knownSampled = known.map(sampledColumn);
      const sensitiveSampled = sensitive.map(sampledColumn);
      disclosure = await timed("disclosureProtection", () =>
        disclosureProtection(knownSampled, sensitiveSampled, privacyAligned.realRows, privacyAligned.syntheticRows),
      );
    }
    privacy = {
      dcrBaselineProtection: {
        score: baseline.score,
        medianDcrSyntheticToReal: baseline.medianDcrSyntheticToReal,
        medianDcrRandomToReal: baseline.medianDcrRandomToReal,
        histogram: dcrHistogram(baseline.syntheticDcr, baseline.randomDcr),
      },
      dcrOverfittingProtection: overfitting,
      newRowSynthesis: { ...newRows, tolerance: NEW_ROW_TOLERANCE },
      nndr,
      membershipInference: membership,
      categoricalCap: disclosure === null ? null : { score: disclosure.capProtection, known: disclosure.known, sensitive: disclosure.sensitive },
      disclosureProtection: disclosure,
    };
  }
  progress(0.75, "usefulness");

  let usefulness: UsefulnessResult | null = null;
  let usefulnessSkipped: string | null = null;
  if (runUsefulness) {
    try {
      usefulness = await timed("usefulness", () =>
        mlEfficacy({
          columns,
          target: options.targetColumn!,
          realRows: aligned.realRows,
          syntheticRows: aligned.syntheticRows,
          holdoutRows: aligned.holdoutRows,
          seed,
        }),
      );
    } catch (error) {
      // The data cannot support the models (too few rows, one class, …): say so in the report
      // rather than losing every other score.
      if (!(error instanceof ScoreInputError)) throw error;
      usefulnessSkipped = error.message;
    }
  }

  const retained = associationRetained(quality.pairs);
  const pairsMeetingThreshold = quality.pairs.filter((p) => p.meetsThreshold).length;
  const finalVerdict = verdict({
    columnShapes: quality.columnShapes,
    allPairsTrends: quality.allPairsTrends,
    sdmetricsQuality: quality.score,
    sdmetricsPairTrends: quality.columnPairTrends,
    pairsMeetingThreshold,
    pairCount: quality.pairs.length,
    associationRetained: retained,
    ...(usefulness !== null ? { usefulnessRatio: usefulness.ratio, usefulnessTarget: usefulness.target, usefulnessMetric: usefulness.primaryMetric } : {}),
    ...(privacy !== null
      ? {
          dcrBaselineProtection: privacy.dcrBaselineProtection.score,
          newRowSynthesis: privacy.newRowSynthesis.score,
          ...(privacy.dcrOverfittingProtection !== null ? { dcrOverfittingProtection: privacy.dcrOverfittingProtection.score } : {}),
          ...(privacy.membershipInference !== null ? { membershipAuc: privacy.membershipInference.auc } : {}),
          ...(privacy.disclosureProtection !== null ? { disclosureProtection: privacy.disclosureProtection.score } : {}),
        }
      : {}),
  });
  progress(1, "done");
  const device = activeDevice();
  return {
    formatVersion: SCORE_REPORT_FORMAT_VERSION,
    generatedAt: new Date().toISOString(),
    settings: {
      seed,
      privacy: runPrivacy,
      usefulness: runUsefulness,
      holdout: options.holdout !== undefined,
      targetColumn: options.targetColumn ?? null,
      knownColumns: known.map((c) => c.name),
      sensitiveColumns: sensitive.map((c) => c.name),
      newRowTolerance: NEW_ROW_TOLERANCE,
      correlationThreshold: CORRELATION_THRESHOLD,
      associationThreshold: ASSOCIATION_THRESHOLD,
      reference:
        privacySampleRows === null
          ? "SDMetrics 0.29.0 definitions (Quality, Diagnostic, DCR, NewRowSynthesis, CAP); computed on all rows"
          : `SDMetrics 0.29.0 definitions (Quality, Diagnostic, DCR, NewRowSynthesis, CAP); fidelity on all rows, privacy on seeded samples of at most ${privacyMaxRows} rows per table`,
      device: `${device.kind}: ${device.name}`,
      privacySampleRows,
      syntheticRowsWritten: options.syntheticRowsWritten ?? null,
      sampling: samplingSentence(aligned, privacySampleRows, options.syntheticRowsWritten, privacy?.dcrOverfittingProtection ?? null),
      allRows:
        privacySampleRows === null &&
        (options.syntheticRowsWritten ?? aligned.syntheticRows) <= aligned.syntheticRows &&
        privacy?.dcrOverfittingProtection?.trainingSubsampled !== true,
    },
    tables: {
      realRows: aligned.realRows,
      syntheticRows: aligned.syntheticRows,
      holdoutRows: aligned.holdoutRows,
      columns: columns.map((c) => ({ name: c.name, type: c.type })),
    },
    quality: { ...quality, associationRetained: retained, pairsMeetingThreshold },
    diagnostic: diag,
    rareCombinations: rare,
    privacy,
    usefulness,
    usefulnessSkipped,
    verdict: finalVerdict,
    distributions,
    timingsMs,
  };
}

const count = (rows: number) => rows.toLocaleString("en-US");

/** Says in one sentence which rows fidelity and privacy used, so a sampled score never passes for an exact one. */
function samplingSentence(
  aligned: { realRows: number; syntheticRows: number; holdoutRows: number },
  privacyRows: ScoreReport["settings"]["privacySampleRows"],
  syntheticRowsWritten: number | undefined,
  overfitting: BalancedDcrOverfittingResult | null,
): string {
  const parts: string[] = [];
  const firstOf = syntheticRowsWritten !== undefined && syntheticRowsWritten > aligned.syntheticRows;
  if (firstOf) {
    parts.push(
      `fidelity on the first ${count(aligned.syntheticRows)} of the ${count(syntheticRowsWritten)} synthetic rows written (independent draws, so a uniform sample of the output) and all real rows`,
    );
  }
  if (privacyRows !== null) {
    const sampledReal =
      privacyRows.real < aligned.realRows ? `a seeded uniform sample of ${count(privacyRows.real)} of ${count(aligned.realRows)} real rows` : null;
    const sampledSynthetic =
      privacyRows.synthetic < aligned.syntheticRows
        ? `a seeded uniform sample of ${count(privacyRows.synthetic)} of ${count(aligned.syntheticRows)} synthetic rows`
        : null;
    parts.push(`privacy on ${[sampledReal, sampledSynthetic].filter((p) => p !== null).join(" and ")} (bound ${count(privacyRows.maxRows)} rows per table)`);
  } else parts.push(firstOf ? "privacy exact over all pairs of those rows" : "privacy exact over all pairs");
  if (overfitting?.trainingSubsampled === true) {
    parts.push(`DCR overfitting protection against a seeded sample of ${count(overfitting.trainingRows)} training rows, the holdout's size`);
  }
  return `${firstOf ? "" : "fidelity on all rows; "}${parts.join("; ")}`;
}

/** A seeded uniform sample of at most `maxRows` rows, kept in file order (the table itself when it is small enough). */
export function sampleRows(table: Table, maxRows: number, seed: number): Table {
  if (table.rowCount <= maxRows) return table;
  const picked = new SeededRandom(seed).permutation(table.rowCount).subarray(0, maxRows).sort();
  const columns = table.columns.map((column): Column => {
    if ("codes" in column) return { ...column, codes: Int32Array.from(picked, (i) => column.codes[i]!) };
    if (column.values instanceof Float64Array) {
      const values = column.values;
      return { ...column, values: Float64Array.from(picked, (i) => values[i]!) } as Column;
    }
    const values = column.values as (string | null)[];
    return { ...column, values: Array.from(picked, (i) => values[i] ?? null) } as Column;
  });
  return { rowCount: maxRows, columns };
}
