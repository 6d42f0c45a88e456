/**
 * The row layout the native nearest-neighbour and row-matching kernels take (`kernels/`
 * `MixedRows`): numerical and datetime columns row-major as float64 (NaN = missing), categorical
 * and boolean columns row-major as aligned codes (−1 = missing). Id and PII columns take no part
 * in distances (SDMetrics' DCR keeps numerical, datetime, categorical and boolean columns only).
 */
import type { MixedRows } from "../../kernels/index.js";
import type { ColumnPair, ContinuousColumnPair, DiscreteColumnPair } from "../aligned-table.js";

export type Side = "real" | "synthetic" | "holdout";

export interface RowLayout {
  numeric: ContinuousColumnPair[];
  categorical: DiscreteColumnPair[];
}

export function rowLayout(columns: ColumnPair[]): RowLayout {
  return {
    numeric: columns.filter((c): c is ContinuousColumnPair => c.kind === "continuous"),
    categorical: columns.filter((c): c is DiscreteColumnPair => c.kind === "discrete"),
  };
}

function sideValues<T>(column: { real: T; synthetic: T; holdout?: T }, side: Side): T {
  const values = side === "holdout" ? column.holdout : column[side];
  if (values === undefined) throw new Error(`no ${side} values for this column`);
  return values;
}

/** The rows of one side of the aligned tables. */
export function mixedRows(layout: RowLayout, side: Side, rows: number): MixedRows {
  const p = layout.numeric.length;
  const q = layout.categorical.length;
  const numeric = new Float64Array(rows * p);
  const categorical = new Int32Array(rows * q);
  layout.numeric.forEach((column, j) => {
    const values = sideValues(column, side);
    for (let i = 0; i < rows; i++) numeric[i * p + j] = values[i]!;
  });
  layout.categorical.forEach((column, j) => {
    const codes = sideValues(column, side);
    for (let i = 0; i < rows; i++) categorical[i * q + j] = codes[i]!;
  });
  return { rows, numeric, categorical };
}

/**
 * 1 / (max − min) of each numeric column of the reference rows — the DCR of SDMetrics scales by
 * the range of the table it compares against. A constant (or entirely missing) column gets
 * Infinity: any difference then counts 1, as SDMetrics does for a zero range.
 */
export function inverseRanges(rows: MixedRows, numericCount: number): Float64Array {
  const out = new Float64Array(numericCount);
  for (let j = 0; j < numericCount; j++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < rows.rows; i++) {
      const v = rows.numeric[i * numericCount + j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const range = max - min;
    out[j] = range > 0 ? 1 / range : Number.POSITIVE_INFINITY;
  }
  return out;
}

/** A seeded uniform sample of `count` of the rows, kept in their order (the rows themselves when count ≥ rows). */
export function sampleMixedRows(rows: MixedRows, count: number, random: { permutation(n: number): Int32Array }): MixedRows {
  if (count >= rows.rows) return rows;
  const numericCount = rows.rows === 0 ? 0 : rows.numeric.length / rows.rows;
  const categoricalCount = rows.rows === 0 ? 0 : rows.categorical.length / rows.rows;
  const picked = random.permutation(rows.rows).subarray(0, count).sort();
  const numeric = new Float64Array(count * numericCount);
  const categorical = new Int32Array(count * categoricalCount);
  picked.forEach((row, i) => {
    numeric.set(rows.numeric.subarray(row * numericCount, (row + 1) * numericCount), i * numericCount);
    categorical.set(rows.categorical.subarray(row * categoricalCount, (row + 1) * categoricalCount), i * categoricalCount);
  });
  return { rows: count, numeric, categorical };
}
