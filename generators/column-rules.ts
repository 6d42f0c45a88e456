/**
 * What users would call the rules of a table, found at fit time so that the copula keeps them:
 *
 * - **derived columns**: an exact copy of a numerical column, or a column that a categorical
 *   column determines (one-to-one or many-to-one: `education` → `education-num`, a recoded copy
 *   of a category column). Such a column is not modelled; it is computed from its source.
 * - **joint groups**: categorical columns linked by combinations the real table (almost) never
 *   shows although their margins are common (`sex=Female` with `relationship=Husband`). One
 *   latent dimension per column can only express monotone dependence, so the copula spreads
 *   rows into such cells; modelled as ONE dimension whose cells are the observed combinations,
 *   the group can only produce combinations that occur in the data, at their frequencies.
 *
 * Thresholds and why: see generators/README.md, "Rules between columns".
 */
import type { Table } from "../tabular/index.js";

/** A cell is "almost never" seen when independence predicts at least this many rows … */
export const ALMOST_NEVER_MIN_EXPECTED_ROWS = 10;
/** … and the table shows at most this share of them (100 times rarer than independence). */
export const ALMOST_NEVER_MAX_OBSERVED_RATIO = 0.01;
/** A pair is merged into a joint dimension when its almost-never cells would hold at least this share of rows under independence. */
export const JOINT_MIN_EXPECTED_SHARE = 0.1;
/** Most observed combinations one joint dimension may have (beyond it a group is not merged further). */
export const MAX_JOINT_CELLS = 256;
/** A categorical column determines others only if its categories seen fewer than this many times … */
const MIN_SOURCE_CATEGORY_COUNT = 5;
/** … hold at most this share of rows (a near-unique column such as a name determines every column trivially). */
const MAX_RARE_SOURCE_SHARE = 0.01;

/** How a derived column is computed from its source column. */
export type DerivedRule =
  /** The numerical source's value in every row. */
  | { kind: "copy"; source: number }
  /** map[source code + 1]: a category code (−1 = null) of this column, or a number (null = missing) for a numerical column. */
  | { kind: "map"; source: number; map: (number | null)[] };

export interface ColumnRules {
  /** Derived columns by index. Sources are never derived themselves. */
  derived: Map<number, DerivedRule>;
  /** Groups of categorical columns (≥ 2, in column order) modelled as one joint dimension. */
  jointGroups: number[][];
}

interface CategoricalColumnData {
  index: number;
  codes: Int32Array;
  /** Slots (code + 1) that occur. */
  observed: number;
  slotCounts: Float64Array;
}

function categoricalData(table: Table): CategoricalColumnData[] {
  const out: CategoricalColumnData[] = [];
  table.columns.forEach((column, index) => {
    if (column.schema.type !== "categorical" && column.schema.type !== "boolean") return;
    const { codes, categories } = column as { codes: Int32Array; categories: string[] };
    const slotCounts = new Float64Array(categories.length + 1);
    for (const code of codes) slotCounts[code + 1]! += 1;
    let observed = 0;
    for (const count of slotCounts) if (count > 0) observed++;
    out.push({ index, codes, observed, slotCounts });
  });
  return out;
}

/** Whether the column's categories are well enough supported to be the source of a rule. */
function canDetermine(column: CategoricalColumnData, n: number): boolean {
  let rareRows = 0;
  for (const count of column.slotCounts) if (count > 0 && count < MIN_SOURCE_CATEGORY_COUNT) rareRows += count;
  return rareRows <= MAX_RARE_SOURCE_SHARE * n;
}

/** The map source slot → target value when the source determines the target in every row, else null. */
function determinedMap(
  source: CategoricalColumnData,
  valueAt: (row: number) => number,
  sameValue: (a: number, b: number) => boolean,
): (number | null)[] | null {
  const map: (number | null)[] = new Array(source.slotCounts.length).fill(null);
  const seen = new Uint8Array(source.slotCounts.length);
  for (let r = 0; r < source.codes.length; r++) {
    const slot = source.codes[r]! + 1;
    const value = valueAt(r);
    if (seen[slot] === 0) {
      seen[slot] = 1;
      map[slot] = value;
    } else if (!sameValue(map[slot]!, value)) return null;
  }
  return map;
}

function findDerived(table: Table, categorical: CategoricalColumnData[]): Map<number, DerivedRule> {
  const n = table.rowCount;
  const derived = new Map<number, DerivedRule>();
  const numeric = table.columns.flatMap((column, index) =>
    column.schema.type === "numerical" || column.schema.type === "datetime" ? [{ index, values: (column as { values: Float64Array }).values }] : [],
  );
  const sameNumber = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
  // Exact copies of numerical columns (the later column is the copy).
  numeric.forEach((target, t) => {
    for (const source of numeric.slice(0, t)) {
      if (derived.has(source.index) || source.values.every((v, r) => sameNumber(v, target.values[r]!)) === false) continue;
      derived.set(target.index, { kind: "copy", source: source.index });
      return;
    }
  });
  // Categorical sources, finest first: a column can only determine columns with no more
  // categories, so a source met in this order is never itself determined by a later one.
  const sources = categorical.filter((c) => c.observed >= 2 && canDetermine(c, n)).sort((a, b) => b.observed - a.observed || a.index - b.index);
  for (const source of sources) {
    if (derived.has(source.index)) continue;
    for (const target of categorical) {
      if (target === source || derived.has(target.index) || target.observed < 2 || target.observed > source.observed) continue;
      if (target.observed === source.observed && target.index < source.index && sources.includes(target)) continue; // one-to-one: the earlier column is the source
      const map = determinedMap(
        source,
        (r) => target.codes[r]!,
        (a, b) => a === b,
      );
      if (map !== null) derived.set(target.index, { kind: "map", source: source.index, map });
    }
    for (const target of numeric) {
      if (derived.has(target.index)) continue;
      const map = determinedMap(source, (r) => target.values[r]!, sameNumber);
      // A numerical column with a single value is already a constant; only real maps count.
      if (map === null || new Set(map.filter((v) => v !== null)).size < 2) continue;
      derived.set(target.index, { kind: "map", source: source.index, map: map.map((v) => (v === null || Number.isNaN(v) ? null : v)) });
    }
  }
  // A copy whose source turned out to be determined by a category column follows that rule too.
  for (const [index, rule] of derived) {
    const sourceRule = derived.get(rule.source);
    if (rule.kind === "copy" && sourceRule !== undefined) derived.set(index, sourceRule);
  }
  return derived;
}

/** Σ of the expected rows (under independence) of the pair's almost-never cells. */
export function almostNeverMass(a: { codes: Int32Array; slotCounts: Float64Array }, b: { codes: Int32Array; slotCounts: Float64Array }, n: number): number {
  const kb = b.slotCounts.length;
  const joint = new Float64Array(a.slotCounts.length * kb);
  for (let r = 0; r < n; r++) joint[(a.codes[r]! + 1) * kb + b.codes[r]! + 1]! += 1;
  let mass = 0;
  for (let i = 0; i < a.slotCounts.length; i++) {
    for (let j = 0; j < kb; j++) {
      const expected = (a.slotCounts[i]! * b.slotCounts[j]!) / n;
      if (expected >= ALMOST_NEVER_MIN_EXPECTED_ROWS && joint[i * kb + j]! <= ALMOST_NEVER_MAX_OBSERVED_RATIO * expected) mass += expected;
    }
  }
  return mass;
}

/** Distinct code tuples of the columns over all rows (counting stops past `limit`). */
function distinctTuples(columns: CategoricalColumnData[], n: number, limit: number): number {
  // Mixed-radix key over the slots (code + 1); past 2^53 the key would collide, and such a
  // product of category counts is far beyond any joint dimension anyway.
  let radix = 1;
  for (const column of columns) radix *= column.slotCounts.length;
  if (radix > Number.MAX_SAFE_INTEGER) return limit + 1;
  const seen = new Set<number>();
  for (let r = 0; r < n && seen.size <= limit; r++) {
    let key = 0;
    for (const column of columns) key = key * column.slotCounts.length + column.codes[r]! + 1;
    seen.add(key);
  }
  return seen.size;
}

function findJointGroups(categorical: CategoricalColumnData[], derived: Map<number, DerivedRule>, n: number): number[][] {
  const candidates = categorical.filter((c) => c.observed >= 2 && !derived.has(c.index));
  const pairs: { a: CategoricalColumnData; b: CategoricalColumnData; mass: number }[] = [];
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const mass = almostNeverMass(candidates[i]!, candidates[j]!, n);
      if (mass >= JOINT_MIN_EXPECTED_SHARE * n) pairs.push({ a: candidates[i]!, b: candidates[j]!, mass });
    }
  }
  // Strongest rules first; a merge that would exceed MAX_JOINT_CELLS is skipped.
  pairs.sort((p, q) => q.mass - p.mass || p.a.index - q.a.index || p.b.index - q.b.index);
  const groupOf = new Map<number, CategoricalColumnData[]>();
  for (const { a, b } of pairs) {
    const groupA = groupOf.get(a.index) ?? [a];
    const groupB = groupOf.get(b.index) ?? [b];
    if (groupA === groupB) continue;
    const merged = [...groupA, ...groupB].sort((p, q) => p.index - q.index);
    if (distinctTuples(merged, n, MAX_JOINT_CELLS) > MAX_JOINT_CELLS) continue;
    for (const member of merged) groupOf.set(member.index, merged);
  }
  const groups = [...new Set(groupOf.values())].map((group) => group.map((c) => c.index));
  return groups.sort((p, q) => p[0]! - q[0]!);
}

export function findColumnRules(table: Table): ColumnRules {
  const categorical = categoricalData(table);
  const derived = findDerived(table, categorical);
  return { derived, jointGroups: findJointGroups(categorical, derived, table.rowCount) };
}
