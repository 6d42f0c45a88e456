/**
 * Fits a Gaussian copula to a table (Sklar 1959; Masarotto & Varin 2012; categoricals by the
 * frequency-interval encoding of Patki et al. 2016, "The Synthetic Data Vault"):
 *
 * 1. numerical and datetime columns get a marginal chosen by KS (`marginal-fit.ts`) and, when
 *    they have some nulls, a null-indicator dimension — so missingness is part of the copula and
 *    correlates with the other columns (e.g. a value missing more often for one category);
 * 2. categorical and boolean columns become one dimension whose cells are their categories
 *    (null is a category). The cell order matters — a Gaussian copula can only express monotone
 *    dependence in it — so categories are ordered by their mean normal score on the numerical
 *    column they explain best (largest correlation ratio η²); without such a column, by frequency;
 * 3. the latent correlation comes from the normal scores through the Mehler-series correction
 *    (`normal-scores.ts`), pairwise over rows where both dimensions are present, and is repaired
 *    to the nearest correlation matrix when it is not positive definite.
 */
import type { Table } from "../tabular/table.js";
import { type ColumnModel, type CopulaDimension, type CopulaModel, GENERATOR_NAME, MODEL_FORMAT, MODEL_VERSION, type Rounding } from "./copula-model.js";
import { nearestCorrelation } from "./correlation-matrix.js";
import { type MarginalFamily, momentsOf } from "./marginal-families.js";
import { distinctValues, fitNumericMarginal, Z_GRID_KNOTS, Z_GRID_MAX, Z_GRID_MIN } from "./marginal-fit.js";
import { cellIndexOf, latentCorrelation, scoreCells } from "./normal-scores.js";

export interface FitOptions {
  /** Let sampled values leave the observed range of each numerical column (default false). */
  allowOutOfRange?: boolean;
  /** Force one marginal family for every numerical column instead of choosing by KS. */
  marginal?: MarginalFamily | "auto";
}

/** Per-row normal scores of one dimension (NaN where the dimension's column is null) and its Hermite coefficients. */
interface DimensionScores {
  scores: Float64Array;
  hermite: Float64Array;
  hasMissing: boolean;
}

/** Steps tried for a datetime column, coarsest first: a day, an hour, a minute, a second. */
const DATETIME_STEPS_MS = [86_400_000, 3_600_000, 60_000, 1000] as const;

function datetimeRounding(values: Float64Array): Rounding {
  for (const step of DATETIME_STEPS_MS) {
    let all = true;
    for (let i = 0; i < values.length && all; i++) {
      const v = values[i]!;
      if (!Number.isNaN(v) && v % step !== 0) all = false;
    }
    if (all) return { kind: "step", stepMs: step };
  }
  return { kind: "step", stepMs: 1 };
}

export function fitGaussianCopula(table: Table, options: FitOptions = {}): CopulaModel {
  const allowOutOfRange = options.allowOutOfRange ?? false;
  const n = table.rowCount;
  const columns: ColumnModel[] = [];
  const dimensions: CopulaDimension[] = [];
  const scores: DimensionScores[] = [];
  const warnings: string[] = [];
  /** Categorical columns whose order is decided once all numerical scores exist. */
  const pendingCategorical: { columnIndex: number; codes: Int32Array; counts: Map<number, number> }[] = [];

  table.columns.forEach((column, columnIndex) => {
    const schema = column.schema;
    if (schema.type === "numerical" || schema.type === "datetime") {
      const values = (column as { values: Float64Array }).values;
      const present: number[] = [];
      for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) present.push(values[i]!);
      const sorted = Float64Array.from(present).sort();
      const nullCount = n - sorted.length;
      const rounding: Rounding =
        schema.type === "datetime" ? datetimeRounding(values) : schema.subtype === "integer" ? { kind: "integer" } : { kind: "decimals", decimals: schema.decimals };
      const model: ColumnModel = {
        kind: "numeric",
        name: schema.name,
        nullRate: n > 0 ? nullCount / n : 0,
        constant: null,
        valueDimension: null,
        nullDimension: null,
        marginal: null,
        min: sorted.length > 0 ? sorted[0]! : null,
        max: sorted.length > 0 ? sorted[sorted.length - 1]! : null,
        rounding,
      };
      if (sorted.length > 0 && sorted[0] === sorted[sorted.length - 1]) model.constant = sorted[0]!;
      else if (sorted.length > 0) {
        const marginal = fitNumericMarginal(sorted, momentsOf(sorted), { allowOutOfRange, ...(options.marginal === undefined ? {} : { family: options.marginal }) });
        model.marginal = { family: marginal.family, params: marginal.params, ks: marginal.ks, candidates: marginal.candidates };
        model.valueDimension = dimensions.length;
        dimensions.push({ column: columnIndex, role: "value", table: Array.from(marginal.table) });
        const distinct = distinctValues(sorted);
        const cumulative = new Float64Array(distinct.cumulativeCounts.length);
        for (let c = 0; c < cumulative.length; c++) cumulative[c] = distinct.cumulativeCounts[c]! / sorted.length;
        const cells = scoreCells(cumulative);
        const rowScores = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const v = values[i]!;
          rowScores[i] = Number.isNaN(v) ? Number.NaN : cells.scores[cellIndexOf(distinct.values, v)]!;
        }
        scores.push({ scores: rowScores, hermite: cells.hermite, hasMissing: nullCount > 0 });
      }
      if (nullCount > 0 && nullCount < n) {
        model.nullDimension = dimensions.length;
        const cumulative = [1 - nullCount / n, 1];
        dimensions.push({ column: columnIndex, role: "null", cumulative });
        const cells = scoreCells(cumulative);
        const rowScores = new Float64Array(n);
        for (let i = 0; i < n; i++) rowScores[i] = cells.scores[Number.isNaN(values[i]!) ? 1 : 0]!;
        scores.push({ scores: rowScores, hermite: cells.hermite, hasMissing: false });
      }
      columns.push(model);
    } else if (schema.type === "categorical" || schema.type === "boolean") {
      const { codes, categories } = column as { codes: Int32Array; categories: string[] };
      const counts = new Map<number, number>();
      for (let i = 0; i < n; i++) counts.set(codes[i]!, (counts.get(codes[i]!) ?? 0) + 1);
      columns.push({ kind: "categorical", name: schema.name, categories: [...categories], order: [], frequencies: [], dimension: null });
      pendingCategorical.push({ columnIndex, codes, counts });
    } else {
      columns.push({ kind: "text", name: schema.name });
    }
  });

  // Numerical value dimensions, for ordering categories (null indicators excluded).
  const valueScores = scores.filter((_, i) => dimensions[i]?.role === "value");
  for (const pending of pendingCategorical) {
    const model = columns[pending.columnIndex];
    if (model?.kind !== "categorical") continue;
    const order = orderCategories(pending.codes, pending.counts, valueScores);
    model.order = order;
    model.frequencies = order.map((code) => (pending.counts.get(code) ?? 0) / n);
    if (order.length < 2) continue;
    model.dimension = dimensions.length;
    const cumulative: number[] = [];
    let running = 0;
    for (const code of order) {
      running += pending.counts.get(code) ?? 0;
      cumulative.push(running / n);
    }
    cumulative[cumulative.length - 1] = 1;
    dimensions.push({ column: pending.columnIndex, role: "category", cumulative });
    const cells = scoreCells(cumulative);
    const scoreOfCode = new Map<number, number>(order.map((code, position) => [code, cells.scores[position]!]));
    const rowScores = new Float64Array(n);
    for (let i = 0; i < n; i++) rowScores[i] = scoreOfCode.get(pending.codes[i]!)!;
    scores.push({ scores: rowScores, hermite: cells.hermite, hasMissing: false });
  }

  const d = dimensions.length;
  const correlation = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    correlation[i * d + i] = 1;
    for (let j = 0; j < i; j++) {
      const rho = latentCorrelation(scoreCovariance(scores[i]!, scores[j]!), scores[i]!.hermite, scores[j]!.hermite);
      correlation[i * d + j] = rho;
      correlation[j * d + i] = rho;
    }
  }
  const repaired = nearestCorrelation(correlation, d);
  if (repaired.repaired) warnings.push("the estimated correlation matrix was not positive definite and was repaired to the nearest correlation matrix");

  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    generator: GENERATOR_NAME,
    schema: { version: 1, columns: table.columns.map((c) => c.schema) },
    training: { rows: n, allowOutOfRange },
    zGrid: { min: Z_GRID_MIN, max: Z_GRID_MAX, knots: Z_GRID_KNOTS },
    columns,
    dimensions,
    correlation: Array.from(repaired.matrix),
    correlationRepaired: repaired.repaired,
    warnings,
  };
}

/** E[s_i s_j] over rows where both are present (scores have mean 0 by construction). */
function scoreCovariance(a: DimensionScores, b: DimensionScores): number {
  const x = a.scores;
  const y = b.scores;
  let sum = 0;
  let count = 0;
  if (!a.hasMissing && !b.hasMissing) {
    for (let r = 0; r < x.length; r++) sum += x[r]! * y[r]!;
    count = x.length;
  } else {
    for (let r = 0; r < x.length; r++) {
      const product = x[r]! * y[r]!;
      if (!Number.isNaN(product)) {
        sum += product;
        count++;
      }
    }
  }
  return count > 1 ? sum / count : 0;
}

/**
 * Orders a column's categories by their mean score on the numerical dimension with the largest
 * correlation ratio η² = Σ_c n_c·mean_c² / Σ s²; by frequency (most frequent first) when no
 * numerical dimension explains at least 1% of the variance. Ties keep code order (deterministic).
 */
function orderCategories(codes: Int32Array, counts: Map<number, number>, numeric: DimensionScores[]): number[] {
  const byFrequency = [...counts.keys()].sort((p, q) => (counts.get(q) ?? 0) - (counts.get(p) ?? 0) || p - q);
  let bestEta = 0.01;
  let bestMeans: Map<number, number> | null = null;
  for (const dimension of numeric) {
    const sums = new Map<number, { sum: number; count: number }>();
    let total = 0;
    for (let r = 0; r < codes.length; r++) {
      const s = dimension.scores[r]!;
      if (Number.isNaN(s)) continue;
      total += s * s;
      const entry = sums.get(codes[r]!);
      if (entry === undefined) sums.set(codes[r]!, { sum: s, count: 1 });
      else {
        entry.sum += s;
        entry.count++;
      }
    }
    let between = 0;
    for (const { sum, count } of sums.values()) between += (sum * sum) / count;
    const eta = total > 0 ? between / total : 0;
    if (eta > bestEta) {
      bestEta = eta;
      bestMeans = new Map([...sums].map(([code, { sum, count }]) => [code, sum / count]));
    }
  }
  if (bestMeans === null) return byFrequency;
  const means = bestMeans;
  const frequencyRank = new Map(byFrequency.map((code, rank) => [code, rank]));
  // Categories never seen with a present value on that dimension sit in the middle (mean 0).
  return byFrequency.slice().sort((p, q) => (means.get(p) ?? 0) - (means.get(q) ?? 0) || frequencyRank.get(p)! - frequencyRank.get(q)!);
}
