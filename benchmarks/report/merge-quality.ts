/**
 * The quality report of a federated synthesis job: each holder scores the synthetic corpus
 * against its own rows (`scoreTables(ownRows, corpus)`, SDMetrics-identical) and returns only its
 * `QualityResult`; the requester gets their merge.
 *
 * Merge rule: every column shape and every pair score is the row-weighted mean of the holders'
 * scores (holders where a pair is undefined, e.g. a constant column, are left out of that pair's
 * mean). A pair counts in the SDMetrics-style property score when the row-weighted mean of the
 * holders' real |ρ| exceeds 0.5 or of their real Cramér's V exceeds 0.3 — the pooled threshold
 * applied to the holders' average view. Property and overall scores then follow SDMetrics'
 * definitions on the merged per-column and per-pair scores.
 *
 * This is NOT the score of the corpus against the pooled rows: KS, TV distance and contingency
 * similarity of a mixture are not the mixtures of the holders' scores. Each holder compares the
 * whole corpus — everyone's distribution — with its own slice, so when the slices differ the
 * merged score is lower than the pooled one (it also measures how much the slices differ from the
 * union); for slices drawn from one distribution the two agree up to sampling noise. The difference
 * on Adult is measured in benchmarks/results/federated-synthesis-2026-12-03.json.
 */
import { ScoreInputError } from "../errors.js";
import { ASSOCIATION_THRESHOLD, CORRELATION_THRESHOLD, meanOfDefined, type PairTrend } from "../fidelity/column-pair-trends.js";
import type { ColumnShape, QualityResult } from "../fidelity/quality-report.js";

export interface HolderQuality {
  holder: string;
  /** The holder's row count (its weight). A holder may round or noise it; weights only need to be positive. */
  rows: number;
  quality: QualityResult;
}

export interface MergedQuality extends QualityResult {
  method: "row-weighted mean of the holders' per-column and per-pair scores (not the score against the pooled rows)";
  holders: Array<{ holder: string; rows: number; score: number }>;
}

/** Row-weighted mean over the defined values (NaN when none is defined). */
function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  let weight = 0;
  values.forEach((v, k) => {
    if (Number.isNaN(v)) return;
    sum += v * weights[k]!;
    weight += weights[k]!;
  });
  return weight > 0 ? sum / weight : Number.NaN;
}

const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v);

function checkAligned(parts: readonly HolderQuality[]): void {
  if (parts.length === 0) throw new ScoreInputError("no holder returned scores; a merged report needs at least one.");
  const first = parts[0]!.quality;
  for (const part of parts) {
    if (!(part.rows > 0) || !Number.isFinite(part.rows))
      throw new ScoreInputError(`holder "${part.holder}" reported ${part.rows} rows; a holder's weight must be a positive number.`);
    const q = part.quality;
    const sameShapes = q.shapes.length === first.shapes.length && q.shapes.every((s, k) => s.column === first.shapes[k]!.column);
    const samePairs =
      q.pairs.length === first.pairs.length && q.pairs.every((p, k) => p.column1 === first.pairs[k]!.column1 && p.column2 === first.pairs[k]!.column2);
    if (!sameShapes || !samePairs)
      throw new ScoreInputError(
        `holder "${part.holder}" scored other columns than holder "${parts[0]!.holder}"; every holder must score the corpus over the job's shared schema.`,
      );
  }
}

/** Merges the holders' quality results into one report (see the file comment for what it is and is not). */
export function mergeHolderQuality(parts: readonly HolderQuality[]): MergedQuality {
  checkAligned(parts);
  const weights = parts.map((p) => p.rows);
  const first = parts[0]!.quality;
  const shapes: ColumnShape[] = first.shapes.map((shape, k) => ({
    column: shape.column,
    metric: shape.metric,
    score: weightedMean(
      parts.map((p) => p.quality.shapes[k]!.score),
      weights,
    ),
  }));
  const pairs: PairTrend[] = first.pairs.map((pair, k) => {
    const of = (get: (p: PairTrend) => number | null) =>
      weightedMean(
        parts.map((p) => get(p.quality.pairs[k]!) ?? Number.NaN),
        weights,
      );
    const realCorrelation = of((p) => p.realCorrelation);
    const realAssociation = of((p) => p.realAssociation);
    const meetsThreshold =
      pair.metric === "CorrelationSimilarity"
        ? of((p) => (p.realCorrelation === null ? null : Math.abs(p.realCorrelation))) > CORRELATION_THRESHOLD
        : realAssociation > ASSOCIATION_THRESHOLD;
    return {
      column1: pair.column1,
      column2: pair.column2,
      metric: pair.metric,
      score: of((p) => p.score),
      realCorrelation: nullable(realCorrelation),
      syntheticCorrelation: nullable(of((p) => p.syntheticCorrelation)),
      realAssociation: nullable(realAssociation),
      syntheticAssociation: nullable(of((p) => p.syntheticAssociation)),
      realStrength: of((p) => p.realStrength),
      syntheticStrength: of((p) => p.syntheticStrength),
      meetsThreshold,
    };
  });
  const columnShapes = meanOfDefined(shapes.map((s) => s.score));
  const columnPairTrends = meanOfDefined(pairs.filter((p) => p.meetsThreshold).map((p) => p.score));
  const allPairsTrends = meanOfDefined(pairs.map((p) => p.score));
  return {
    method: "row-weighted mean of the holders' per-column and per-pair scores (not the score against the pooled rows)",
    holders: parts.map((p) => ({ holder: p.holder, rows: p.rows, score: p.quality.score })),
    score: meanOfDefined([columnShapes, columnPairTrends]),
    columnShapes,
    columnPairTrends,
    allPairsTrends,
    allPairsScore: meanOfDefined([columnShapes, allPairsTrends]),
    shapes,
    pairs,
  };
}
