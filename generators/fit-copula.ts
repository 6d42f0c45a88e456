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
import type { Table } from "../tabular/index.js";
import {
  type CategoricalColumnModel,
  type ColumnModel,
  type CopulaDimension,
  type CopulaModel,
  type DerivedColumn,
  GENERATOR_NAME,
  MODEL_FORMAT,
  MODEL_VERSION,
  type NumericColumnModel,
  type Rounding,
} from "./copula-model.js";
import { orderCategories, orderJointCells } from "./category-order.js";
import { findColumnRules } from "./column-rules.js";
import { repairCorrelation } from "./correlation-matrix.js";
import { GeneratorError } from "./errors.js";
import { type MarginalFamily, momentsOf } from "./marginal-families.js";
import { fitNumericMarginal, Z_GRID_KNOTS, Z_GRID_MAX, Z_GRID_MIN } from "./marginal-fit.js";
import { cellIndexOf, latentCorrelation, type ScoreCells, scoreCells } from "./normal-scores.js";

export interface FitOptions {
  /** Let sampled values leave the observed range of each numerical column (default false). */
  allowOutOfRange?: boolean;
  /** Force one marginal family for every numerical column instead of choosing by KS. */
  marginal?: MarginalFamily | "auto";
  /**
   * Called as the fit advances (fraction in [0, 1] and the stage: "marginals", "correlations",
   * "repair"); wide tables (thousands of columns) take seconds, which a user should see.
   */
  onProgress?: (fraction: number, stage: string) => void;
  /** Keep the table's rules — derived columns and joint dimensions, `column-rules.ts` (default true; false: every column on its own). */
  keepRules?: boolean;
}

/** Shares of the fit's progress: marginals, then the O(d²) pairwise correlations, then the repair. */
const PROGRESS_MARGINALS = 0.3;
const PROGRESS_CORRELATIONS = 0.9;

/** Per-row normal scores of one dimension (NaN where the dimension's column is null) and its Hermite coefficients. */
interface DimensionScores {
  scores: Float64Array;
  cells: ScoreCells;
  hasMissing: boolean;
}

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
  /**
   * Categorical dimensions whose order is decided once all numerical scores exist: one column, or
   * a joint group (codes = index into `cells`, the group's observed combinations).
   */
  const pendingCategorical: PendingCategorical[] = [];
  const rules = options.keepRules === false ? { derived: new Map(), jointGroups: [] } : findColumnRules(table);
  const jointOf = new Map<number, number[]>();
  for (const group of rules.jointGroups) for (const member of group) jointOf.set(member, group);

  const report = options.onProgress;
  table.columns.forEach((column, columnIndex) => {
    if (report !== undefined && columnIndex % 64 === 0) report((PROGRESS_MARGINALS * columnIndex) / table.columns.length, "marginals");
    const schema = column.schema;
    const derived = rules.derived.get(columnIndex);
    if (derived !== undefined && (schema.type === "numerical" || schema.type === "datetime")) {
      const values = (column as { values: Float64Array }).values;
      const rounding: Rounding =
        schema.type === "datetime"
          ? datetimeRounding(values)
          : schema.subtype === "integer"
            ? { kind: "integer" }
            : { kind: "decimals", decimals: schema.decimals };
      columns.push(derivedNumericModel(schema.name, values, derived, rounding));
    } else if (derived !== undefined && (schema.type === "categorical" || schema.type === "boolean")) {
      const { codes, categories } = column as { codes: Int32Array; categories: string[] };
      const counts = slotCountsOf(codes, categories.length);
      const order = [...counts.keys()].sort((p, q) => (counts.get(q) ?? 0) - (counts.get(p) ?? 0) || p - q);
      columns.push({
        kind: "categorical",
        name: schema.name,
        categories: [...categories],
        order,
        frequencies: order.map((code) => (counts.get(code) ?? 0) / n),
        dimension: null,
        derived: derived as DerivedColumn,
      });
    } else if (schema.type === "numerical" || schema.type === "datetime") {
      const values = (column as { values: Float64Array }).values;
      let presentCount = 0;
      for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) presentCount++;
      const sorted = new Float64Array(presentCount);
      for (let i = 0, k = 0; i < n; i++) if (!Number.isNaN(values[i]!)) sorted[k++] = values[i]!;
      sorted.sort();
      const nullCount = n - sorted.length;
      const rounding: Rounding =
        schema.type === "datetime"
          ? datetimeRounding(values)
          : schema.subtype === "integer"
            ? { kind: "integer" }
            : { kind: "decimals", decimals: schema.decimals };
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
        const marginal = fitNumericMarginal(sorted, momentsOf(sorted), {
          allowOutOfRange,
          ...(options.marginal === undefined ? {} : { family: options.marginal }),
        });
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
        scores.push({ scores: rowScores, cells, hasMissing: nullCount > 0 });
      }
      if (nullCount > 0 && nullCount < n) {
        model.nullDimension = dimensions.length;
        const cumulative = [1 - nullCount / n, 1];
        dimensions.push({ column: columnIndex, role: "null", cumulative });
        const cells = scoreCells(cumulative);
        const rowScores = new Float64Array(n);
        for (let i = 0; i < n; i++) rowScores[i] = cells.scores[Number.isNaN(values[i]!) ? 1 : 0]!;
        scores.push({ scores: rowScores, cells, hasMissing: false });
      }
      columns.push(model);
    } else if (schema.type === "categorical" || schema.type === "boolean") {
      const { codes, categories } = column as { codes: Int32Array; categories: string[] };
      const counts = slotCountsOf(codes, categories.length);
      columns.push({ kind: "categorical", name: schema.name, categories: [...categories], order: [], frequencies: [], dimension: null });
      const group = jointOf.get(columnIndex);
      if (group === undefined) pendingCategorical.push({ columnIndex, codes, counts, categoryCount: categories.length, cells: null });
      else if (group[0] === columnIndex) pendingCategorical.push(jointPending(table, group, n));
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
    const order =
      pending.cells === null
        ? orderCategories(pending.codes, pending.counts, pending.categoryCount, valueScores)
        : orderJointCells(pending.codes, pending.counts, pending.categoryCount, valueScores);
    if (order.length < 2) {
      setCategoricalOrder(columns[pending.columnIndex] as CategoricalColumnModel, order, pending.counts, n);
      continue;
    }
    const dimension = dimensions.length;
    const encoded = encodeCategorical(order, pending.counts, pending.codes, pending.categoryCount, n);
    dimensions.push(dimensionOf(pending, order, encoded.cumulative, columns, dimension, n));
    scores.push(encoded.scores);
    categoricalDimensions.push({ pending, dimension });
  }
  if (categoricalDimensions.length > 1) {
    for (const { pending, dimension } of categoricalDimensions) {
      const guides = scores.filter((_, i) => i !== dimension && dimensions[i]?.role !== "null");
      const order =
        pending.cells === null
          ? orderCategories(pending.codes, pending.counts, pending.categoryCount, guides)
          : orderJointCells(pending.codes, pending.counts, pending.categoryCount, guides);
      const encoded = encodeCategorical(order, pending.counts, pending.codes, pending.categoryCount, n);
      dimensions[dimension] = dimensionOf(pending, order, encoded.cumulative, columns, dimension, n);
      scores[dimension] = encoded.scores;
    }
  }

  const d = dimensions.length;
  const correlation = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    // Rows of the lower triangle hold i pairs each: report by pairs done, (i² − i)/2 of (d² − d)/2.
    if (report !== undefined && i % 32 === 0) report(PROGRESS_MARGINALS + ((PROGRESS_CORRELATIONS - PROGRESS_MARGINALS) * i * i) / (d * d), "correlations");
    correlation[i * d + i] = 1;
    for (let j = 0; j < i; j++) {
      const rho = latentCorrelation(scoreCovariance(scores[i]!, scores[j]!), scores[i]!.cells, scores[j]!.cells);
      correlation[i * d + j] = rho;
      correlation[j * d + i] = rho;
    }
  }
  report?.(PROGRESS_CORRELATIONS, "repair");
  const repaired = repairCorrelation(correlation, d, { rows: n });
  report?.(1, "repair");
  if (repaired.method === "low-rank") {
    warnings.push(
      `the table has ${n} rows for ${d} copula dimensions, so the correlation matrix has rank ≤ ${n}: it was replaced by its top ${n} eigenpairs plus a diagonal`,
    );
  } else if (repaired.repaired) {
    warnings.push("the estimated correlation matrix was not positive definite and was repaired to the nearest correlation matrix");
  }

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

interface PendingCategorical {
  /** The column, or a joint group's first member. */
  columnIndex: number;
  codes: Int32Array;
  counts: Map<number, number>;
  categoryCount: number;
  /** Joint groups only: the members and, per joint code, each member's category code. */
  cells: { members: number[]; tuples: number[][] } | null;
}

/** Occurrences of each code (−1 = null) that occurs. */
function slotCountsOf(codes: Int32Array, categoryCount: number): Map<number, number> {
  const slots = new Float64Array(categoryCount + 1);
  for (const code of codes) slots[code + 1]! += 1;
  const counts = new Map<number, number>();
  for (let c = 0; c < slots.length; c++) if (slots[c]! > 0) counts.set(c - 1, slots[c]!);
  return counts;
}

function setCategoricalOrder(model: CategoricalColumnModel, order: number[], counts: Map<number, number>, n: number): void {
  model.order = order;
  model.frequencies = order.map((code) => (counts.get(code) ?? 0) / n);
}

/** A joint group as one categorical variable whose categories are the members' observed code combinations. */
function jointPending(table: Table, members: number[], n: number): PendingCategorical {
  const memberColumns = members.map((m) => table.columns[m] as { codes: Int32Array; categories: string[] });
  // Mixed-radix key over the slots (code + 1); column-rules.ts only groups columns whose product
  // of category counts is a safe integer.
  const index = new Map<number, number>();
  const tuples: number[][] = [];
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let key = 0;
    for (const column of memberColumns) key = key * (column.categories.length + 1) + column.codes[r]! + 1;
    let code = index.get(key);
    if (code === undefined) {
      code = tuples.length;
      index.set(key, code);
      tuples.push(memberColumns.map((column) => column.codes[r]!));
    }
    codes[r] = code;
  }
  return { columnIndex: members[0]!, codes, counts: slotCountsOf(codes, tuples.length), categoryCount: tuples.length, cells: { members, tuples } };
}

/** The dimension of a pending categorical in the given cell order; also sets the column models that read it. */
function dimensionOf(
  pending: PendingCategorical,
  order: number[],
  cumulative: number[],
  columns: ColumnModel[],
  dimension: number,
  n: number,
): CopulaDimension {
  if (pending.cells === null) {
    const model = columns[pending.columnIndex] as CategoricalColumnModel;
    setCategoricalOrder(model, order, pending.counts, n);
    model.dimension = dimension;
    return { column: pending.columnIndex, role: "category", cumulative };
  }
  const { members, tuples } = pending.cells;
  members.forEach((member, k) => {
    // Each member keeps its own categories and marginal frequencies (most frequent first).
    const model = columns[member] as CategoricalColumnModel;
    const counts = new Map<number, number>();
    for (const [joint, count] of pending.counts) counts.set(tuples[joint]![k]!, (counts.get(tuples[joint]![k]!) ?? 0) + count);
    setCategoricalOrder(
      model,
      [...counts.keys()].sort((p, q) => (counts.get(q) ?? 0) - (counts.get(p) ?? 0) || p - q),
      counts,
      n,
    );
    model.dimension = dimension;
  });
  return { column: pending.columnIndex, role: "joint", cumulative, members: [...members], cells: order.map((joint) => [...tuples[joint]!]) };
}

/** A numerical column computed from its source: no dimensions, its observed range kept for --where. */
function derivedNumericModel(name: string, values: Float64Array, rule: DerivedColumn, rounding: Rounding): NumericColumnModel {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nulls = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nulls++;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return {
    kind: "numeric",
    name,
    nullRate: values.length > 0 ? nulls / values.length : 0,
    constant: null,
    valueDimension: null,
    nullDimension: null,
    marginal: null,
    min: nulls < values.length ? min : null,
    max: nulls < values.length ? max : null,
    rounding,
    derived: rule,
  };
}

/** A categorical dimension in a given cell order: its cumulative bounds and per-row scores. */
function encodeCategorical(
  order: number[],
  counts: Map<number, number>,
  codes: Int32Array,
  categoryCount: number,
  n: number,
): { cumulative: number[]; scores: DimensionScores } {
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
  return { cumulative, scores: { scores: rowScores, cells, hasMissing: false } };
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
