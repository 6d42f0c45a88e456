/**
 * Bounds of numerical columns that the schema leaves open, bought with a stated share of the
 * budget (issue 11: the domain comes from the schema or the user, never from the data for free).
 *
 * Each open column gets a low and a high bound: the exponential mechanism (McSherry & Talwar 2007)
 * picks a point of a fixed, data-independent grid — 0 and ±10^k for k from −3 to 9 in
 * GRID_POINTS_PER_DECADE log-spaced steps — near the LOW_QUANTILE and HIGH_QUANTILE of the column,
 * with the utility
 *     u(g) = −max(#{x < g} − q·n, q·n − #{x ≤ g}, 0)
 * (0 when g is a q-quantile, also on a point mass such as zero capital gain; minus the rows by which
 * it misses otherwise). Replacing one row moves each count by at most 1 and n is public in the DP
 * copula's neighbouring relation, so u has sensitivity 1; each selection is ε-DP and ε²/8-zCDP
 * (Cesar & Rogers 2021). The share's ρ is split evenly over the 2k selections of k open columns.
 * An integer column's bounds are rounded outward to integers, a decimal column's to its decimals.
 */
import { exponentialMechanism, exponentialMechanismEpsilonForRho, type PrivacySource } from "../../privacy/index.js";
import type { NumericalColumnSchema, Table, TableSchema } from "../../tabular/index.js";
import type { MechanismRecord } from "../dp-record.js";
import { DpInputError } from "../errors.js";

export const LOW_QUANTILE = 0.02;
export const HIGH_QUANTILE = 0.98;
const GRID_POINTS_PER_DECADE = 20;
const GRID_DECADES = { from: -3, to: 9 } as const;

/** The fixed grid, ascending: −10^9 … −10^−3, 0, 10^−3 … 10^9. */
export function boundsGrid(): number[] {
  const positive: number[] = [];
  const steps = (GRID_DECADES.to - GRID_DECADES.from) * GRID_POINTS_PER_DECADE;
  for (let s = 0; s <= steps; s++) positive.push(10 ** (GRID_DECADES.from + s / GRID_POINTS_PER_DECADE));
  return [...positive.map((v) => -v).reverse(), 0, ...positive];
}

/** Numerical columns of `schema` without a declared min or max. */
export function openNumericColumns(schema: TableSchema): string[] {
  return schema.columns.filter((c): c is NumericalColumnSchema => c.type === "numerical" && (c.min === null || c.max === null)).map((c) => c.name);
}

/** Rows below / at most g, from sorted values. */
function countBelow(sorted: Float64Array, g: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (inclusive ? sorted[mid]! <= g : sorted[mid]! < g) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function privateQuantile(sorted: Float64Array, n: number, q: number, grid: readonly number[], epsilon: number, source: PrivacySource): number {
  const target = q * n;
  const scores = grid.map((g) => -Math.max(countBelow(sorted, g, false) - target, target - countBelow(sorted, g, true), 0));
  return grid[exponentialMechanism(scores, epsilon, 1, source)]!;
}

export interface PrivateBounds {
  /** The schema with every open column's min and max filled in. */
  schema: TableSchema;
  mechanism: MechanismRecord;
  columns: string[];
}

/** Estimates the open columns' bounds with budget `rho` (replace-one-row neighbours, n public). */
export function estimatePrivateBounds(table: Table, schema: TableSchema, rho: number, source: PrivacySource): PrivateBounds {
  const open = openNumericColumns(schema);
  const epsilon = exponentialMechanismEpsilonForRho(rho / (2 * open.length));
  const grid = boundsGrid();
  const n = table.rowCount;
  const columns = schema.columns.map((column) => {
    if (column.type !== "numerical" || !open.includes(column.name)) return column;
    const data = table.columns.find((c) => c.schema.name === column.name);
    if (data === undefined || !("values" in data) || !(data.values instanceof Float64Array))
      throw new DpInputError(`column "${column.name}" is not numerical in the table; use the schema the table was read with.`);
    // Nulls count on neither side (they are modelled by the null cell): ranks among all n rows.
    const sorted = Float64Array.from(data.values.filter((v) => !Number.isNaN(v))).sort();
    let low = privateQuantile(sorted, n, LOW_QUANTILE, grid, epsilon, source);
    let high = privateQuantile(sorted, n, HIGH_QUANTILE, grid, epsilon, source);
    if (low > high) [low, high] = [high, low];
    const integer = column.subtype === "integer";
    const scale = 10 ** Math.min(column.decimals, 15);
    low = integer ? Math.floor(low) : Math.floor(low * scale) / scale;
    high = integer ? Math.ceil(high) : Math.ceil(high * scale) / scale;
    if (high <= low) high = low + (integer ? 1 : 1 / scale);
    return { ...column, min: column.min ?? low, max: column.max ?? high };
  });
  return {
    schema: { ...schema, columns },
    columns: open,
    mechanism: {
      release: `bounds of ${open.join(", ")} (DP ${LOW_QUANTILE} / ${HIGH_QUANTILE} quantiles on a fixed log grid)`,
      mechanism: "exponential mechanism",
      rho,
      count: 2 * open.length,
      epsilonPerSelection: epsilon,
      sensitivity: 1,
    },
  };
}
