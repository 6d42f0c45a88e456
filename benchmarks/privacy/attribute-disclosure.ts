/**
 * Attribute disclosure, SDMetrics' definitions:
 * - NewRowSynthesis: share of synthetic rows that match no real row (categories equal, numbers
 *   within `tolerance`·|synthetic value|, missing matches missing) — row matching in the kernels.
 * - CategoricalCAP (Correct Attribution Probability, Taub et al. 2018): an attacker who knows the
 *   `known` columns of a real row looks up the synthetic rows with the same known values and
 *   guesses the `sensitive` values in proportion to their frequency there. Per real row whose key
 *   occurs in the synthetic table: the share of those synthetic rows with the real sensitive values.
 *   CAP = 1 − mean of that share (0 when no key matches, as SDMetrics returns).
 * - DisclosureProtection (method `cap`) = min(CAP / baseline, 1), baseline = 1 − 1/Π(distinct
 *   sensitive values in the real table, missing counted as one value).
 * Missing values are a category of their own. An integer column is matched by value, as SDMetrics
 * does; a float or datetime column is cut into 10 equal-width bins of the real range (open-ended
 * outer bins), which is what DisclosureProtection does when it is told the column is continuous
 * (without that SDMetrics matches floats exactly, where CategoricalCAP gives no number at all).
 */
import { matchRows, type MixedRows } from "../../kernels/index.js";
import type { ColumnPair } from "../aligned-table.js";
import type { DistanceContext } from "./distance-metrics.js";

export function newRowSynthesis(
  synthetic: MixedRows,
  real: MixedRows,
  context: DistanceContext,
  tolerance = 0.01,
): { score: number; newRows: number; matchedRows: number } {
  const matched = matchRows(synthetic, real, { ...context, relTolerance: tolerance });
  let count = 0;
  for (let i = 0; i < matched.length; i++) count += matched[i]!;
  return { score: (synthetic.rows - count) / synthetic.rows, newRows: synthetic.rows - count, matchedRows: count };
}

/** Codes per row (−1 = missing) of one side, continuous columns binned on the real range; text as is. */
function discreteCodes(column: ColumnPair, side: "real" | "synthetic"): ArrayLike<number | string> {
  if (column.kind === "discrete") return column[side];
  if (column.kind === "continuous" && column.integer) {
    return Array.from(column[side], (v) => (Number.isNaN(v) ? -1 : `n:${v}`));
  }
  if (column.kind === "continuous") {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of column.real) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const width = (max - min) / 10;
    return Int32Array.from(column[side], (v) => {
      if (Number.isNaN(v)) return -1;
      if (!(width > 0)) return 0;
      // pandas.cut: right-closed bins (a, b]; the first bin holds the minimum.
      return Math.min(9, Math.max(0, Math.ceil((v - min) / width) - 1));
    });
  }
  return column[side].map((v) => (v === null ? -1 : `s:${v}`));
}

function rowKeys(columns: ColumnPair[], side: "real" | "synthetic", rows: number): string[] {
  const codes = columns.map((c) => discreteCodes(c, side));
  const keys = new Array<string>(rows);
  for (let i = 0; i < rows; i++) keys[i] = JSON.stringify(codes.map((c) => c[i]!));
  return keys;
}

export function categoricalCap(known: ColumnPair[], sensitive: ColumnPair[], realRows: number, syntheticRows: number): number {
  const syntheticKnown = rowKeys(known, "synthetic", syntheticRows);
  const syntheticSensitive = rowKeys(sensitive, "synthetic", syntheticRows);
  const byKey = new Map<string, { total: number; counts: Map<string, number> }>();
  for (let i = 0; i < syntheticRows; i++) {
    let entry = byKey.get(syntheticKnown[i]!);
    if (entry === undefined) {
      entry = { total: 0, counts: new Map() };
      byKey.set(syntheticKnown[i]!, entry);
    }
    entry.total++;
    entry.counts.set(syntheticSensitive[i]!, (entry.counts.get(syntheticSensitive[i]!) ?? 0) + 1);
  }
  const realKnown = rowKeys(known, "real", realRows);
  const realSensitive = rowKeys(sensitive, "real", realRows);
  let sum = 0;
  let matched = 0;
  for (let i = 0; i < realRows; i++) {
    const entry = byKey.get(realKnown[i]!);
    if (entry === undefined) continue;
    matched++;
    sum += (entry.counts.get(realSensitive[i]!) ?? 0) / entry.total;
  }
  return matched === 0 ? 0 : 1 - sum / matched;
}

export interface DisclosureProtectionResult {
  score: number;
  capProtection: number;
  baselineProtection: number;
  known: string[];
  sensitive: string[];
}

export function disclosureProtection(known: ColumnPair[], sensitive: ColumnPair[], realRows: number, syntheticRows: number): DisclosureProtectionResult {
  const capProtection = categoricalCap(known, sensitive, realRows, syntheticRows);
  let product = 1;
  for (const column of sensitive) product *= new Set(Array.from(discreteCodes(column, "real"))).size;
  const baselineProtection = 1 - 1 / product;
  return {
    score: baselineProtection === 0 ? Number.NaN : Math.min(capProtection / baselineProtection, 1),
    capProtection,
    baselineProtection,
    known: known.map((c) => c.name),
    sensitive: sensitive.map((c) => c.name),
  };
}
