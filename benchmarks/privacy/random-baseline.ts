/**
 * The random table of DCRBaselineProtection (SDMetrics' `_generate_random_data`): as many rows as
 * the synthetic table, every column drawn independently and uniformly — integer columns (no
 * missing values in the real column) uniformly among the integers in [min, max], other numeric and
 * datetime columns uniformly in [min, max], categorical columns uniformly among the labels present
 * in the real column — then blanked with the real column's share of missing values. Seeded.
 */
import type { MixedRows } from "../../kernels/index.js";
import { SeededRandom } from "../seeded-random.js";
import type { RowLayout } from "./mixed-rows.js";

export function randomBaselineRows(layout: RowLayout, rows: number, seed: number): MixedRows {
  const random = new SeededRandom(seed);
  const p = layout.numeric.length;
  const q = layout.categorical.length;
  const numeric = new Float64Array(rows * p);
  const categorical = new Int32Array(rows * q);
  layout.numeric.forEach((column, j) => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let missing = 0;
    for (const v of column.real) {
      if (Number.isNaN(v)) missing++;
      else {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    const missingShare = missing / column.real.length;
    const integers = column.integer && missing === 0;
    for (let i = 0; i < rows; i++) {
      let v: number;
      if (min > max) v = Number.NaN;
      else if (integers) v = min + random.integer(max - min + 1);
      else v = min + random.uniform() * (max - min);
      numeric[i * p + j] = v;
    }
    for (let i = 0; i < rows; i++) if (random.uniform() < missingShare) numeric[i * p + j] = Number.NaN;
  });
  layout.categorical.forEach((column, j) => {
    let missing = 0;
    for (const c of column.real) if (c < 0) missing++;
    const missingShare = missing / column.real.length;
    const labelCount = column.realLabelCount;
    for (let i = 0; i < rows; i++) categorical[i * q + j] = labelCount > 0 ? random.integer(labelCount) : -1;
    for (let i = 0; i < rows; i++) if (random.uniform() < missingShare) categorical[i * q + j] = -1;
  });
  return { rows, numeric, categorical };
}
