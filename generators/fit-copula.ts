/**
 * Fits a Gaussian copula to a table (Sklar 1959; Masarotto & Varin 2012; categoricals by the
 * frequency-interval encoding of Patki et al. 2016, "The Synthetic Data Vault"):
 *
 * 1. numerical and datetime columns get a marginal chosen by KS (`marginal-fit.ts`) and, when
 *    they have some nulls, a null-indicator dimension — so missingness is part of the copula and
 *    correlates with the other columns (e.g. a value missing more often for one category);
 * 2. categorical and boolean columns become one dimension whose cells are their categories
 *    (null is a category). The cell order matters — a Gaussian copula can only express monotone
 *    dependence in it — so categories are ordered by their mean normal score on the dimension
 *    they explain best (largest correlation ratio η²), numerical first, then once more over all
 *    dimensions; without any such dimension, by frequency;
 * 3. the latent correlation comes from the normal scores through the Mehler-series correction
 *    (`normal-scores.ts`), pairwise over rows where both dimensions are present, and is repaired
 *    to the nearest correlation matrix when it is not positive definite.
 */
import type { Table } from "../tabular/table.js";
import { type CategoricalColumnModel, type ColumnModel, type CopulaDimension, type CopulaModel, GENERATOR_NAME, MODEL_FORMAT, MODEL_VERSION, type Rounding } from "./copula-model.js";
import { nearestCorrelation } from "./correlation-matrix.js";
import { GeneratorError } from "./errors.js";
import { type MarginalFamily, momentsOf } from "./marginal-families.js";
import { fitNumericMarginal, Z_GRID_KNOTS, Z_GRID_MAX, Z_GRID_MIN } from "./marginal-fit.js";
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

/** Categories seen fewer times than this do not count toward guided ordering (see orderCategories). */
const MIN_GUIDED_COUNT = 5;

/** Steps tried for a datetime column, coarsest first: a day, an hour, a minute, a second. */
const DATETIME_STEPS_MS = [86_400_000, 3_600_000, 60_000, 1000] as const;

export function datetimeRounding(values: Float64Array): Rounding {
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
  if (n === 0 || table.columns.length === 0) {
    throw new GeneratorError(`the input table has ${n === 0 ? "no rows" : "no columns"}; a model needs at least one row and one column.`);
  }
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
      let presentCount = 0;
      for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) presentCount++;
      const sorted = new Float64Array(presentCount);
      for (let i = 0, k = 0; i < n; i++) if (!Number.isNaN(values[i]!)) sorted[k++] = values[i]!;
      sorted.sort();
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
        const distinct = marginal.distinct;
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
      // counts[code + 1]: slot 0 is null (code −1).
      const slots = new Float64Array(categories.length + 1);
      for (let i = 0; i < n; i++) slots[codes[i]! + 1]! += 1;
      const counts = new Map<number, number>();
      for (let c = 0; c < slots.length; c++) if (slots[c]! > 0) counts.set(c - 1, slots[c]!);
      columns.push({ kind: "categorical", name: schema.name, categories: [...categories], order: [], frequencies: [], dimension: null });
      pendingCategorical.push({ columnIndex, codes, counts });
    } else {
      columns.push({ kind: "text", name: schema.name });
    }
  });

  // Categories are ordered in two passes: first by the numerical value dimensions (null
  // indicators excluded); then each categorical column is reordered once more with every other
  // dimension — numerical or categorical — as a candidate guide, which lets category–category
  // associations (relationship ↔ sex, marital-status ↔ relationship) be expressed as well.
  const valueScores = scores.filter((_, i) => dimensions[i]?.role === "value");
  const categoricalDimensions: { pending: (typeof pendingCategorical)[number]; dimension: number }[] = [];
  for (const pending of pendingCategorical) {
    const model = columns[pending.columnIndex];
    if (model?.kind !== "categorical") continue;
    const order = orderCategories(pending.codes, pending.counts, model.categories.length, valueScores);
    model.order = order;
    model.frequencies = order.map((code) => (pending.counts.get(code) ?? 0) / n);
    if (order.length < 2) continue;
    model.dimension = dimensions.length;
    const encoded = encodeCategorical(order, pending.counts, pending.codes, model.categories.length, n);
    dimensions.push({ column: pending.columnIndex, role: "category", cumulative: encoded.cumulative });
    scores.push(encoded.scores);
    categoricalDimensions.push({ pending, dimension: model.dimension });
  }
  if (categoricalDimensions.length > 1) {
    for (const { pending, dimension } of categoricalDimensions) {
      const model = columns[pending.columnIndex] as CategoricalColumnModel;
      const guides = scores.filter((_, i) => i !== dimension && dimensions[i]?.role !== "null");
      const order = orderCategories(pending.codes, pending.counts, model.categories.length, guides);
      model.order = order;
      model.frequencies = order.map((code) => (pending.counts.get(code) ?? 0) / n);
      const encoded = encodeCategorical(order, pending.counts, pending.codes, model.categories.length, n);
      dimensions[dimension] = { column: pending.columnIndex, role: "category", cumulative: encoded.cumulative };
      scores[dimension] = encoded.scores;
    }
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

/** A categorical dimension in a given cell order: its cumulative bounds and per-row scores. */
function encodeCategorical(order: number[], counts: Map<number, number>, codes: Int32Array, categoryCount: number, n: number): { cumulative: number[]; scores: DimensionScores } {
  const cumulative: number[] = [];
  let running = 0;
  for (const code of order) {
    running += counts.get(code) ?? 0;
    cumulative.push(running / n);
  }
  cumulative[cumulative.length - 1] = 1;
  const cells = scoreCells(cumulative);
  const scoreOfSlot = new Float64Array(categoryCount + 1);
  order.forEach((code, position) => {
    scoreOfSlot[code + 1] = cells.scores[position]!;
  });
  const rowScores = new Float64Array(n);
  for (let i = 0; i < n; i++) rowScores[i] = scoreOfSlot[codes[i]! + 1]!;
  return { cumulative, scores: { scores: rowScores, hermite: cells.hermite, hasMissing: false } };
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
 * Orders a column's categories by their mean score on the candidate dimension with the largest
 * correlation ratio η² = Σ_c n_c·mean_c² / Σ s²; by frequency (most frequent first) when no
 * candidate explains at least 1% of the variance. Ties keep frequency order (deterministic).
 */
function orderCategories(codes: Int32Array, counts: Map<number, number>, categoryCount: number, candidates: DimensionScores[]): number[] {
  const byFrequency = [...counts.keys()].sort((p, q) => (counts.get(q) ?? 0) - (counts.get(p) ?? 0) || p - q);
  if (byFrequency.length < 2 || candidates.length === 0) return byFrequency;
  // A near-unique column (most rows in categories seen fewer than MIN_GUIDED_COUNT times, e.g.
  // movie titles) ordered by a numerical guide would tie each label to its own row's values —
  // copying real rows. Such columns keep the frequency order.
  let rareRows = 0;
  for (const count of counts.values()) if (count < MIN_GUIDED_COUNT) rareRows += count;
  if (rareRows > 0.5 * codes.length) return byFrequency;
  // Choose the guide on an evenly strided subset of ≤ 8192 rows (η² to ~±0.01, plenty to rank
  // guides), then compute the category means of the chosen guide on every row.
  const stride = Math.max(1, Math.ceil(codes.length / 8192));
  let bestEta = 0.01;
  let best: DimensionScores | null = null;
  for (const dimension of candidates) {
    const eta = correlationRatio(codes, categoryCount, dimension.scores, stride).eta;
    if (eta > bestEta) {
      bestEta = eta;
      best = dimension;
    }
  }
  if (best === null) return byFrequency;
  const slotMeans = correlationRatio(codes, categoryCount, best.scores, 1).means;
  const means = new Map(byFrequency.map((code) => [code, slotMeans[code + 1]!]));
  const frequencyRank = new Map(byFrequency.map((code, rank) => [code, rank]));
  // Categories never seen with a present value on that dimension sit in the middle (mean 0).
  return byFrequency.slice().sort((p, q) => (means.get(p) ?? 0) - (means.get(q) ?? 0) || frequencyRank.get(p)! - frequencyRank.get(q)!);
}

/** η² of the scores explained by the categories, over rows 0, stride, 2·stride, …, and the per-category means (slot code + 1). */
function correlationRatio(codes: Int32Array, categoryCount: number, scores: Float64Array, stride: number): { eta: number; means: Float64Array } {
  const sums = new Float64Array(categoryCount + 1);
  const counted = new Float64Array(categoryCount + 1);
  let total = 0;
  for (let r = 0; r < codes.length; r += stride) {
    const s = scores[r]!;
    if (Number.isNaN(s)) continue;
    total += s * s;
    const slot = codes[r]! + 1;
    sums[slot]! += s;
    counted[slot]! += 1;
  }
  let between = 0;
  const means = new Float64Array(categoryCount + 1);
  for (let c = 0; c < sums.length; c++) {
    if (counted[c]! === 0) continue;
    between += (sums[c]! * sums[c]!) / counted[c]!;
    means[c] = sums[c]! / counted[c]!;
  }
  return { eta: total > 0 ? between / total : 0, means };
}
