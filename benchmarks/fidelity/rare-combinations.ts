/**
 * Logical structure: the share of synthetic rows that break a rule of the real table, i.e. show
 * a combination of two categorical values that the real table (almost) never shows although
 * both values are common (`sex=Female` with `relationship=Husband` in Adult). Not an SDMetrics
 * metric; Column Pair Trends (Cramér's V) barely moves when 5% of rows land in such cells.
 *
 * A cell (a, b) of a pair of categorical/boolean columns is "almost never" seen when independence
 * predicts E = n_a·n_b / n ≥ 10 real rows there and the real table has at most E / 100 (the same
 * thresholds the copula uses to find such rules, generators/README.md "Rules between columns";
 * here they are part of the metric's definition). Missing is a value like any other.
 */
import type { DiscreteColumnPair } from "../aligned-table.js";

export const RARE_COMBINATION_MIN_EXPECTED_ROWS = 10;
export const RARE_COMBINATION_MAX_OBSERVED_RATIO = 0.01;
/** Combinations listed in the report (most synthetic rows first). */
const LISTED_COMBINATIONS = 20;

export interface RareCombination {
  columns: [string, string];
  values: [string | null, string | null];
  /** Real rows independence would put in this cell. */
  expectedRows: number;
  realRows: number;
  syntheticRows: number;
}

export interface RareCombinationsResult {
  /** Share of synthetic rows with at least one almost-never combination (0 = every rule kept). */
  syntheticShare: number;
  /** The same share in the real table (at most 1% of E per cell, by definition small). */
  realShare: number;
  /** How many (pair, cell) combinations the real table almost never shows. */
  combinationCount: number;
  combinations: RareCombination[];
  minExpectedRows: number;
  maxObservedRatio: number;
}

/** Per-code counts (slot = code + 1, slot 0 = missing). */
function slotCounts(codes: Int32Array, labelCount: number): Float64Array {
  const counts = new Float64Array(labelCount + 1);
  for (const code of codes) counts[code + 1]! += 1;
  return counts;
}

export function rareCombinations(columns: DiscreteColumnPair[], realRows: number, syntheticRows: number): RareCombinationsResult {
  const realBreaks = new Uint8Array(realRows);
  const syntheticBreaks = new Uint8Array(syntheticRows);
  const found: RareCombination[] = [];
  const n = realRows;
  const counts = columns.map((c) => slotCounts(c.real, c.labels.length));
  for (let i = 0; i < columns.length; i++) {
    for (let j = i + 1; j < columns.length; j++) {
      const a = columns[i]!;
      const b = columns[j]!;
      const countsA = counts[i]!;
      const countsB = counts[j]!;
      const slotsB = countsB.length;
      // Only cells whose expected count can reach the threshold are counted (sparse: a Map).
      const maxA = countsA.reduce((m, v) => Math.max(m, v), 0);
      const maxB = countsB.reduce((m, v) => Math.max(m, v), 0);
      const eligibleA = (slot: number) => countsA[slot]! * maxB >= RARE_COMBINATION_MIN_EXPECTED_ROWS * n;
      const eligibleB = (slot: number) => countsB[slot]! * maxA >= RARE_COMBINATION_MIN_EXPECTED_ROWS * n;
      const joint = new Map<number, number>();
      for (let r = 0; r < realRows; r++) {
        const sa = a.real[r]! + 1;
        const sb = b.real[r]! + 1;
        if (eligibleA(sa) && eligibleB(sb)) joint.set(sa * slotsB + sb, (joint.get(sa * slotsB + sb) ?? 0) + 1);
      }
      const flagged = new Set<number>();
      for (let sa = 0; sa < countsA.length; sa++) {
        if (!eligibleA(sa)) continue;
        for (let sb = 0; sb < slotsB; sb++) {
          const expected = (countsA[sa]! * countsB[sb]!) / n;
          const observed = joint.get(sa * slotsB + sb) ?? 0;
          if (expected >= RARE_COMBINATION_MIN_EXPECTED_ROWS && observed <= RARE_COMBINATION_MAX_OBSERVED_RATIO * expected) {
            flagged.add(sa * slotsB + sb);
            found.push({
              columns: [a.name, b.name],
              values: [sa === 0 ? null : a.labels[sa - 1]!, sb === 0 ? null : b.labels[sb - 1]!],
              expectedRows: expected,
              realRows: observed,
              syntheticRows: 0,
            });
          }
        }
      }
      if (flagged.size === 0) continue;
      const listed = found.slice(found.length - flagged.size);
      const listedByKey = new Map([...flagged].map((key, k) => [key, listed[k]!]));
      for (let r = 0; r < realRows; r++) if (flagged.has((a.real[r]! + 1) * slotsB + b.real[r]! + 1)) realBreaks[r] = 1;
      for (let r = 0; r < syntheticRows; r++) {
        // Synthetic-only labels (codes ≥ the real label count) are never in a flagged cell.
        const key = (a.synthetic[r]! + 1) * slotsB + b.synthetic[r]! + 1;
        if (a.synthetic[r]! < a.realLabelCount && b.synthetic[r]! < b.realLabelCount && flagged.has(key)) {
          syntheticBreaks[r] = 1;
          listedByKey.get(key)!.syntheticRows++;
        }
      }
    }
  }
  const share = (flags: Uint8Array) => (flags.length === 0 ? 0 : flags.reduce((sum, f) => sum + f, 0) / flags.length);
  found.sort((p, q) => q.syntheticRows - p.syntheticRows || q.expectedRows - p.expectedRows);
  return {
    syntheticShare: share(syntheticBreaks),
    realShare: share(realBreaks),
    combinationCount: found.length,
    combinations: found.slice(0, LISTED_COMBINATIONS),
    minExpectedRows: RARE_COMBINATION_MIN_EXPECTED_ROWS,
    maxObservedRatio: RARE_COMBINATION_MAX_OBSERVED_RATIO,
  };
}
