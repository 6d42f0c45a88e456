/**
 * The per-dimension lookup tables in the exact form the sampling kernel takes them (see
 * .helpers/KERNELS-API.md §3), plus the same lookups in TypeScript for the few dimensions the
 * conditional sampler resolves itself and for the inverse question "which z give these values?".
 */
import type { CopulaColumnTable } from "../kernels/index.js";
import type { CopulaDimension, CopulaModel } from "./copula-model.js";
import { normalQuantile } from "./normal-distribution.js";

/** Upper z bounds of the cells: Φ⁻¹ of the cumulative probabilities, the last one +∞. */
export function categoryZBounds(cumulative: readonly number[]): Float64Array {
  const bounds = new Float64Array(cumulative.length);
  for (let j = 0; j < cumulative.length; j++) bounds[j] = j === cumulative.length - 1 ? Number.POSITIVE_INFINITY : normalQuantile(cumulative[j]!);
  return bounds;
}

export function kernelTableOf(model: CopulaModel, dimension: CopulaDimension): CopulaColumnTable {
  if (dimension.role === "value") {
    return { kind: "numeric", table: Float64Array.from(dimension.table ?? []), zMin: model.zGrid.min, zMax: model.zGrid.max };
  }
  return { kind: "categorical", table: categoryZBounds(dimension.cumulative ?? [1]), zMin: model.zGrid.min, zMax: model.zGrid.max };
}

/** value(z): linear interpolation on the even z grid, clamped to the end values (as the kernel does). */
export function tableValueAt(table: Float64Array, zMin: number, zMax: number, z: number): number {
  const last = table.length - 1;
  const position = ((z - zMin) / (zMax - zMin)) * last;
  if (!(position > 0)) return table[0]!;
  if (position >= last) return table[last]!;
  const i = Math.floor(position);
  const t = position - i;
  return table[i]! + t * (table[i + 1]! - table[i]!);
}

/** Index of the first bound with z < bound (as the kernel does). */
export function categoryIndexAt(bounds: Float64Array, z: number): number {
  for (let j = 0; j < bounds.length; j++) if (z < bounds[j]!) return j;
  return bounds.length - 1;
}

/**
 * The z interval [zLow, zHigh] whose tabulated values lie in [low, high] (the table is
 * nondecreasing, so it is one interval), or null when no z gives such a value. Ends that the
 * clamped table reaches at the grid's edge extend to ±∞.
 */
export function zIntervalForValues(table: Float64Array, zMin: number, zMax: number, low: number, high: number): [number, number] | null {
  const last = table.length - 1;
  if (table[0]! > high || table[last]! < low || low > high) return null;
  const zAt = (position: number) => zMin + ((zMax - zMin) * position) / last;
  let zLow = Number.NEGATIVE_INFINITY;
  if (table[0]! < low) {
    // First knot with table ≥ low, then interpolate back into the cell before it.
    let i = firstKnotAtLeast(table, low);
    if (i === 0) i = 1;
    const v0 = table[i - 1]!;
    const v1 = table[i]!;
    zLow = zAt(i - 1 + (v1 > v0 ? (low - v0) / (v1 - v0) : 1));
  }
  let zHigh = Number.POSITIVE_INFINITY;
  if (table[last]! > high) {
    // Last knot with table ≤ high, then interpolate forward into the cell after it.
    let i = firstKnotAbove(table, high) - 1;
    if (i < 0) return null;
    if (i === last) i = last - 1;
    const v0 = table[i]!;
    const v1 = table[i + 1]!;
    zHigh = zAt(i + (v1 > v0 ? (high - v0) / (v1 - v0) : 0));
  }
  return zLow <= zHigh ? [zLow, zHigh] : null;
}

function firstKnotAtLeast(table: Float64Array, value: number): number {
  let low = 0;
  let high = table.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (table[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

function firstKnotAbove(table: Float64Array, value: number): number {
  let low = 0;
  let high = table.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (table[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
