/**
 * Where a synthetic table misleads a classifier of one binary target: for every other column,
 * P(target = positive | the column's value) in the real and the synthetic table, compared as the
 * real-row-weighted mean of |P_real − P_synthetic| over the column's values (a numerical column
 * binned at its real deciles). A column with a large error is one whose relation to the target
 * the generator did not learn; trees trained on the synthetic rows split on it wrongly.
 */
import type { Table } from "../../tabular/index.js";

export interface TargetConditionals {
  /** Share of positive rows: real, synthetic. */
  rate: [number, number];
  /** Per column: weighted mean |P_real(positive | value) − P_synthetic(positive | value)|. */
  error: Record<string, number>;
  /** Sum of the columns' errors. */
  total: number;
}

type AnyColumn = { schema: { name: string }; codes?: Int32Array; values?: Float64Array };

/** Each row's cell key: the category code, or the real decile bin of a number (−1 = null). */
function cellKeys(column: AnyColumn, edges: number[] | null): Int32Array {
  if (column.codes !== undefined) return column.codes;
  const values = column.values!;
  return Int32Array.from(values, (v) => {
    if (Number.isNaN(v)) return -1;
    let bin = 0;
    while (bin < edges!.length && v >= edges![bin]!) bin++;
    return bin;
  });
}

/** Distinct real deciles of a numerical column, the bin edges. */
function decileEdges(values: Float64Array): number[] {
  const sorted = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  const edges = new Set<number>();
  for (let d = 1; d < 10; d++) edges.add(sorted[Math.floor((d / 10) * (sorted.length - 1))]!);
  return [...edges].sort((a, b) => a - b);
}

function positives(table: Table, target: string, positive: string): Uint8Array {
  const column = table.columns.find((c) => c.schema.name === target) as unknown as { codes: Int32Array; categories: string[] };
  const code = column.categories.indexOf(positive);
  return Uint8Array.from(column.codes, (c) => (c === code ? 1 : 0));
}

function rateByKey(keys: Int32Array, y: Uint8Array): Map<number, [number, number]> {
  const cells = new Map<number, [number, number]>();
  for (let r = 0; r < keys.length; r++) {
    const cell = cells.get(keys[r]!) ?? [0, 0];
    cell[0] += 1;
    cell[1] += y[r]!;
    cells.set(keys[r]!, cell);
  }
  return cells;
}

/** Compares the target's conditionals of `synthetic` with `real`'s (same schema, categories in the same order). */
export function targetConditionals(real: Table, synthetic: Table, target: string, positive: string): TargetConditionals {
  const yReal = positives(real, target, positive);
  const ySynthetic = positives(synthetic, target, positive);
  const mean = (y: Uint8Array) => y.reduce((s, x) => s + x, 0) / y.length;
  const rate: [number, number] = [mean(yReal), mean(ySynthetic)];
  const error: Record<string, number> = {};
  let total = 0;
  real.columns.forEach((column, c) => {
    const name = column.schema.name;
    if (name === target) return;
    const other = synthetic.columns[c] as unknown as AnyColumn;
    const source = column as unknown as AnyColumn;
    if (source.codes === undefined && source.values === undefined) return;
    const edges = source.values !== undefined ? decileEdges(source.values) : null;
    const realCells = rateByKey(cellKeys(source, edges), yReal);
    const syntheticCells = rateByKey(cellKeys(other, edges), ySynthetic);
    let sum = 0;
    for (const [key, [count, positive]] of realCells) {
      const cell = syntheticCells.get(key);
      // A value the synthetic table never holds: the trees fall back to about the overall rate.
      const p = cell === undefined ? rate[1] : cell[1] / cell[0];
      sum += (count / real.rowCount) * Math.abs(positive / count - p);
    }
    error[name] = sum;
    total += sum;
  });
  return { rate, error, total };
}
