/**
 * Column Pair Trends as SDMetrics 0.29's Quality report computes it, on every row:
 * - numerical/datetime × numerical/datetime: CorrelationSimilarity = 1 − |ρ_R − ρ_S| / 2 (Pearson
 *   on rows where both are present; NaN when a column is constant in either table);
 * - every other pair: ContingencySimilarity with missing values as a category, a continuous side
 *   replaced by its bin index among 10 equal-width bins of *its own table's* values (real and
 *   synthetic binned separately — the reference's quirk, see pair-statistics.ts).
 * Since SDMetrics 0.27 a pair counts in the property score only when the real table shows a
 * trend: |ρ_R| > 0.5, or Cramér's V of the real contingency table > 0.3. We report every pair,
 * mark which count, and also give the all-pairs mean that the threshold hides.
 */
import type { ColumnPair, ContinuousColumnPair, DiscreteColumnPair } from "../aligned-table.js";
import {
  BIN_LEVELS,
  binEdges,
  binIndex,
  contingencySimilarity,
  cramersV,
  cramersVBiasCorrected,
  discreteLevels,
  isConstantColumn,
  jointCounts,
  meanOfPresent,
  pearson,
} from "./pair-statistics.js";

export const CORRELATION_THRESHOLD = 0.5;
export const ASSOCIATION_THRESHOLD = 0.3;

export interface PairTrend {
  column1: string;
  column2: string;
  metric: "CorrelationSimilarity" | "ContingencySimilarity";
  /** The pair's similarity, computed for every pair (NaN where undefined, e.g. a constant column). */
  score: number;
  /** Pearson ρ of the real / synthetic pair (correlation pairs only). */
  realCorrelation: number | null;
  syntheticCorrelation: number | null;
  /** Cramér's V of the real / synthetic pair (contingency pairs only). */
  realAssociation: number | null;
  syntheticAssociation: number | null;
  /** Dependence strength in [0, 1] of the real / synthetic pair: |ρ|, or bias-corrected Cramér's V. */
  realStrength: number;
  syntheticStrength: number;
  /** Whether the real pair shows a trend strong enough to count in the SDMetrics-style score. */
  meetsThreshold: boolean;
}

export interface ColumnPairTrendsResult {
  /** SDMetrics 0.29's property score: mean over pairs that meet the threshold (NaN if none). */
  score: number;
  /** Mean over every pair with a defined score, no threshold. */
  allPairsScore: number;
  pairs: PairTrend[];
}

interface PreparedContinuous {
  pair: ContinuousColumnPair;
  realBins: Int32Array;
  syntheticBins: Int32Array;
  realShift: number;
  syntheticShift: number;
  constant: boolean;
}

interface PreparedDiscrete {
  pair: DiscreteColumnPair;
  realLevels: Int32Array;
  syntheticLevels: Int32Array;
  levelCount: number;
}

type Prepared = PreparedContinuous | PreparedDiscrete;

function prepare(pair: ContinuousColumnPair | DiscreteColumnPair): Prepared {
  if (pair.kind === "continuous") {
    return {
      pair,
      realBins: binIndex(pair.real, binEdges(pair.real)),
      syntheticBins: binIndex(pair.synthetic, binEdges(pair.synthetic)),
      realShift: meanOfPresent(pair.real),
      syntheticShift: meanOfPresent(pair.synthetic),
      constant: isConstantColumn(pair.real) || isConstantColumn(pair.synthetic),
    };
  }
  return { pair, realLevels: discreteLevels(pair.real), syntheticLevels: discreteLevels(pair.synthetic), levelCount: pair.labels.length + 1 };
}

function levelsOf(p: Prepared): { real: Int32Array; synthetic: Int32Array; count: number } {
  if (p.pair.kind === "continuous") {
    const c = p as PreparedContinuous;
    return { real: c.realBins, synthetic: c.syntheticBins, count: BIN_LEVELS };
  }
  const d = p as PreparedDiscrete;
  return { real: d.realLevels, synthetic: d.syntheticLevels, count: d.levelCount };
}

function correlationPair(a: PreparedContinuous, b: PreparedContinuous): PairTrend {
  const realCorrelation = pearson(a.pair.real, b.pair.real, a.realShift, b.realShift);
  const syntheticCorrelation = pearson(a.pair.synthetic, b.pair.synthetic, a.syntheticShift, b.syntheticShift);
  const defined = !a.constant && !b.constant && !Number.isNaN(realCorrelation) && !Number.isNaN(syntheticCorrelation);
  return {
    column1: a.pair.name,
    column2: b.pair.name,
    metric: "CorrelationSimilarity",
    score: defined ? 1 - Math.abs(realCorrelation - syntheticCorrelation) / 2 : Number.NaN,
    realCorrelation: Number.isNaN(realCorrelation) ? null : realCorrelation,
    syntheticCorrelation: Number.isNaN(syntheticCorrelation) ? null : syntheticCorrelation,
    realAssociation: null,
    syntheticAssociation: null,
    realStrength: Number.isNaN(realCorrelation) ? 0 : Math.abs(realCorrelation),
    syntheticStrength: Number.isNaN(syntheticCorrelation) ? 0 : Math.abs(syntheticCorrelation),
    meetsThreshold: Math.abs(realCorrelation) > CORRELATION_THRESHOLD,
  };
}

function contingencyPair(a: Prepared, b: Prepared): PairTrend {
  const la = levelsOf(a);
  const lb = levelsOf(b);
  const real = jointCounts(la.real, lb.real, la.count, lb.count);
  const synthetic = jointCounts(la.synthetic, lb.synthetic, la.count, lb.count);
  const association = cramersV(real, la.count, lb.count);
  const syntheticAssociation = cramersV(synthetic, la.count, lb.count);
  return {
    column1: a.pair.name,
    column2: b.pair.name,
    metric: "ContingencySimilarity",
    score: contingencySimilarity(real, synthetic),
    realCorrelation: null,
    syntheticCorrelation: null,
    realAssociation: Number.isNaN(association) ? null : association,
    syntheticAssociation: Number.isNaN(syntheticAssociation) ? null : syntheticAssociation,
    realStrength: zeroIfNaN(cramersVBiasCorrected(real, la.count, lb.count)),
    syntheticStrength: zeroIfNaN(cramersVBiasCorrected(synthetic, la.count, lb.count)),
    meetsThreshold: association > ASSOCIATION_THRESHOLD,
  };
}

function zeroIfNaN(x: number): number {
  return Number.isNaN(x) ? 0 : x;
}

function meanOfDefined(values: number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Every pair of scored columns (text columns are left out, as SDMetrics leaves out id/pii). */
export function columnPairTrends(columns: ColumnPair[], onPair?: (done: number, total: number) => void): ColumnPairTrendsResult {
  const scored = columns.filter((c): c is ContinuousColumnPair | DiscreteColumnPair => c.kind !== "text");
  const prepared = scored.map(prepare);
  const pairs: PairTrend[] = [];
  const total = (prepared.length * (prepared.length - 1)) / 2;
  for (let i = 0; i < prepared.length; i++) {
    for (let j = i + 1; j < prepared.length; j++) {
      const a = prepared[i]!;
      const b = prepared[j]!;
      const bothContinuous = a.pair.kind === "continuous" && b.pair.kind === "continuous";
      pairs.push(bothContinuous ? correlationPair(a as PreparedContinuous, b as PreparedContinuous) : contingencyPair(a, b));
      onPair?.(pairs.length, total);
    }
  }
  return {
    score: meanOfDefined(pairs.filter((p) => p.meetsThreshold).map((p) => p.score)),
    allPairsScore: meanOfDefined(pairs.map((p) => p.score)),
    pairs,
  };
}

export { meanOfDefined };

/**
 * Share of the real table's dependence that the synthetic table keeps, over ALL pairs:
 * Σ min(s_R, s_S) / Σ s_R with s = |ρ| (numeric pairs) or bias-corrected Cramér's V. Capping
 * each pair at the real strength means invented dependence cannot make up for lost dependence;
 * a table whose columns were shuffled independently scores near 0. NaN when the real table has
 * no dependence at all.
 */
export function associationRetained(pairs: PairTrend[]): number {
  let kept = 0;
  let total = 0;
  for (const p of pairs) {
    kept += Math.min(p.realStrength, p.syntheticStrength);
    total += p.realStrength;
  }
  return total > 0 ? kept / total : Number.NaN;
}
