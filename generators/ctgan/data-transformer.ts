/**
 * The reversible row encoding that CTGAN and TVAE learn on (Xu et al. 2019, §4.2):
 *
 * - a numerical or datetime column → mode-specific normalisation: a variational Gaussian mixture
 *   (`variational-mixture.ts`, ≤ 10 modes, weight > 0.005, components that form one peak merged)
 *   is fitted to its present values; each value x draws one mode k with probability ∝ w_k N(x; μ_k, σ_k) and is written as the scalar
 *   α = (x − μ_k)/(4σ_k) clipped to [−0.99, 0.99] (a tanh output) followed by the one-hot of k
 *   (a softmax output). A column with nulls adds a two-way one-hot "present / null" (the
 *   copula's null indicator, as a softmax), and null rows get α = 0 in the heaviest mode;
 * - a categorical or boolean column → the one-hot of its category (null is a category);
 * - id and pii columns are not learned: the sampler regenerates them as the copula does.
 *
 * Decoding takes the activated generator output back to values: the argmax of each softmax
 * span, x = 4σ_k·α + μ_k, clamped to the observed range and rounded like the copula rounds
 * (integers, the column's decimals, the datetime step seen in training).
 */
import { philoxUniform } from "../../kernels/index.js";
import type { Table } from "../../tabular/index.js";
import type { Rounding } from "../copula-model.js";
import { GeneratorError, TrainingInputError } from "../errors.js";
import { datetimeRounding } from "../fit-copula.js";
import { fitVariationalMixture, mergeOverlappingComponents, pruneMixture } from "./variational-mixture.js";

/** Most values per column the mixture is fitted on: an evenly strided subsample (the fit is O(n·K) per iteration). */
export const MIXTURE_FIT_MAX_ROWS = 5000;

export interface ContinuousColumnTransform {
  kind: "continuous";
  name: string;
  /** Index of the column in the schema. */
  column: number;
  weights: number[];
  means: number[];
  stds: number[];
  /** Whether the encoding has a present/null one-hot after the modes. */
  hasNulls: boolean;
  min: number;
  max: number;
  rounding: Rounding;
}

export interface DiscreteColumnTransform {
  kind: "discrete";
  name: string;
  column: number;
  /** The training table's labels; a code indexes this list. */
  labels: string[];
  /** Table codes in one-hot order (−1 = null). */
  codes: number[];
  /** Training frequency of each one-hot position. */
  frequencies: number[];
}

export type ColumnTransform = ContinuousColumnTransform | DiscreteColumnTransform;

/** A stretch of the encoded row with one output activation. */
export interface OutputSpan {
  start: number;
  width: number;
  activation: "tanh" | "softmax";
}

export interface TableTransform {
  columns: ColumnTransform[];
  spans: OutputSpan[];
  width: number;
}

/** The encoded span layout of one column (tanh, then softmax spans). */
export function spansOf(column: ColumnTransform): OutputSpan[] {
  if (column.kind === "discrete") return [{ start: 0, width: column.codes.length, activation: "softmax" }];
  const spans: OutputSpan[] = [
    { start: 0, width: 1, activation: "tanh" },
    { start: 1, width: column.means.length, activation: "softmax" },
  ];
  if (column.hasNulls) spans.push({ start: 1 + column.means.length, width: 2, activation: "softmax" });
  return spans;
}

export function layoutOf(columns: ColumnTransform[]): { spans: OutputSpan[]; width: number; columnStarts: number[] } {
  const spans: OutputSpan[] = [];
  const columnStarts: number[] = [];
  let offset = 0;
  for (const column of columns) {
    columnStarts.push(offset);
    for (const span of spansOf(column)) {
      spans.push({ ...span, start: offset + span.start });
    }
    const last = spans[spans.length - 1]!;
    offset = last.start + last.width;
  }
  return { spans, width: offset, columnStarts };
}

function stridedSample(values: Float64Array, maxRows: number): Float64Array {
  if (values.length <= maxRows) return values;
  const out = new Float64Array(maxRows);
  for (let i = 0; i < maxRows; i++) out[i] = values[Math.floor((i * values.length) / maxRows)]!;
  return out;
}

/** Fits the encoding to a table; throws GeneratorError for a learnable column with a single value. */
export function fitTableTransform(table: Table): TableTransform {
  const columns: ColumnTransform[] = [];
  table.columns.forEach((column, index) => {
    const schema = column.schema;
    if (schema.type === "numerical" || schema.type === "datetime") {
      const values = (column as { values: Float64Array }).values;
      const present = values.filter((v) => !Number.isNaN(v));
      const hasNulls = present.length < values.length;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of present) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const distinct = (present.length > 0 && min < max ? 2 : present.length > 0 ? 1 : 0) + (hasNulls ? 1 : 0);
      if (distinct < 2) throw singleValue(schema.name);
      if (present.length === 0 || min === max) {
        // Only "one value + null": a one-mode mixture at that value, the null one-hot carries the information.
        const v = present.length === 0 ? 0 : min;
        columns.push({
          kind: "continuous",
          name: schema.name,
          column: index,
          weights: [1],
          means: [v],
          stds: [1],
          hasNulls,
          min: v,
          max: v,
          rounding: roundingOf(table, index),
        });
        return;
      }
      // The mixture is fitted on the sorted present values so the strided subsample covers the whole range evenly.
      const sorted = Float64Array.from(present).sort();
      const mixture = mergeOverlappingComponents(pruneMixture(fitVariationalMixture(stridedSample(sorted, MIXTURE_FIT_MAX_ROWS))));
      columns.push({ kind: "continuous", name: schema.name, column: index, ...mixtureFields(mixture), hasNulls, min, max, rounding: roundingOf(table, index) });
    } else if (schema.type === "categorical" || schema.type === "boolean") {
      const codes = (column as { codes: Int32Array }).codes;
      const categoryCount = (column as { categories: string[] }).categories.length;
      const counts = new Float64Array(categoryCount + 1);
      for (let r = 0; r < codes.length; r++) counts[codes[r]! + 1]! += 1;
      const seen: number[] = [];
      for (let code = 0; code < categoryCount; code++) if (counts[code + 1]! > 0) seen.push(code);
      if (counts[0]! > 0) seen.push(-1);
      if (seen.length < 2) throw singleValue(schema.name);
      const labels = [...(column as { categories: string[] }).categories];
      columns.push({
        kind: "discrete",
        name: schema.name,
        column: index,
        labels,
        codes: seen,
        frequencies: seen.map((code) => counts[code + 1]! / codes.length),
      });
    }
  });
  if (columns.length === 0) {
    throw new TrainingInputError(
      "the table has no numerical, datetime, categorical or boolean column to learn; a neural generator needs at least one (ids and personal data are regenerated, not learned).",
    );
  }
  const layout = layoutOf(columns);
  return { columns, spans: layout.spans, width: layout.width };
}

function mixtureFields(mixture: { weights: number[]; means: number[]; stds: number[] }) {
  return { weights: mixture.weights, means: mixture.means, stds: mixture.stds };
}

function singleValue(name: string): TrainingInputError {
  return new TrainingInputError(
    `column "${name}" has a single value in every row, which a neural generator cannot learn; drop the column (or mark it in a --schema file) or use --model copula, which keeps constants.`,
  );
}

function roundingOf(table: Table, index: number): Rounding {
  const column = table.columns[index]!;
  const schema = column.schema;
  if (schema.type === "datetime") return datetimeRounding((column as { values: Float64Array }).values);
  if (schema.type === "numerical") return schema.subtype === "integer" ? { kind: "integer" } : { kind: "decimals", decimals: schema.decimals };
  return { kind: "decimals", decimals: 15 };
}

/**
 * Encodes every row of `table` (the table the transform was fitted on, or one with the same
 * schema) as a row-major Float32Array of rows × width. Mode draws use the Philox stream of `seed`.
 * Also returns, per discrete column, each row's one-hot position (for training-by-sampling).
 */
export function encodeTable(transform: TableTransform, table: Table, seed: bigint): { data: Float32Array; discretePositions: Int32Array[] } {
  const n = table.rowCount;
  const width = transform.width;
  const data = new Float32Array(n * width);
  const discretePositions: Int32Array[] = [];
  const layout = layoutOf(transform.columns);
  const uniforms = new Float64Array(n);
  transform.columns.forEach((column, c) => {
    const start = layout.columnStarts[c]!;
    const source = table.columns[column.column]!;
    if (column.kind === "discrete") {
      const codes = (source as { codes: Int32Array }).codes;
      const positionOf = new Map(column.codes.map((code, position) => [code, position]));
      const positions = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        const position = positionOf.get(codes[r]!);
        if (position === undefined)
          throw new GeneratorError(`column "${column.name}" holds a category the model never saw; encode only tables with the training schema.`);
        positions[r] = position;
        data[r * width + start + position] = 1;
      }
      discretePositions.push(positions);
      return;
    }
    const values = (source as { values: Float64Array }).values;
    // One uniform per row and column: counter = column index × rows, so columns draw from disjoint stretches.
    philoxUniform(seed, BigInt(c) * BigInt(n), uniforms);
    const K = column.means.length;
    const heaviest = column.weights.indexOf(Math.max(...column.weights));
    const probabilities = new Float64Array(K);
    for (let r = 0; r < n; r++) {
      const x = values[r]!;
      const row = r * width + start;
      if (Number.isNaN(x)) {
        data[row + 1 + heaviest] = 1;
        data[row + 1 + K + 1] = 1;
        continue;
      }
      if (column.hasNulls) data[row + 1 + K] = 1;
      // p_k ∝ w_k N(x; μ_k, σ_k), in logs relative to the best mode so far-away values do not underflow to all zeros.
      let best = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        const z = (x - column.means[k]!) / column.stds[k]!;
        probabilities[k] = Math.log(column.weights[k]!) - Math.log(column.stds[k]!) - 0.5 * z * z;
        if (probabilities[k]! > best) best = probabilities[k]!;
      }
      let total = 0;
      for (let k = 0; k < K; k++) {
        probabilities[k] = Math.exp(probabilities[k]! - best);
        total += probabilities[k]!;
      }
      let u = uniforms[r]! * total;
      let mode = 0;
      while (mode < K - 1 && u >= probabilities[mode]!) u -= probabilities[mode++]!;
      const alpha = (x - column.means[mode]!) / (4 * column.stds[mode]!);
      data[row] = Math.max(-0.99, Math.min(0.99, alpha));
      data[row + 1 + mode] = 1;
    }
  });
  return { data, discretePositions };
}

function argmax(data: Float32Array, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (data[offset + j]! > data[offset + best]!) best = j;
  return best;
}

/** Decoded values of one continuous column (NaN = null) from activated rows × width output. */
export function decodeContinuous(column: ContinuousColumnTransform, start: number, data: Float32Array, width: number, rows: number): Float64Array {
  const K = column.means.length;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = r * width + start;
    if (column.hasNulls && data[row + 1 + K + 1]! > data[row + 1 + K]!) {
      out[r] = Number.NaN;
      continue;
    }
    const mode = argmax(data, row + 1, K);
    const alpha = Math.max(-1, Math.min(1, data[row]!));
    const x = 4 * column.stds[mode]! * alpha + column.means[mode]!;
    out[r] = Math.min(column.max, Math.max(column.min, x));
  }
  return out;
}

/** Table codes of one discrete column from activated rows × width output. */
export function decodeDiscrete(column: DiscreteColumnTransform, start: number, data: Float32Array, width: number, rows: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = column.codes[argmax(data, r * width + start, column.codes.length)]!;
  return out;
}
