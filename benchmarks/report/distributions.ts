/**
 * What the HTML report draws, computed once while scoring so that the report can be rendered
 * from the JSON alone: per-column real-vs-synthetic distributions (20 equal-width bins over the
 * joint range of the present values, or the 20 most frequent real categories plus "other"),
 * missing shares, and a histogram of two DCR samples on shared bins.
 */
import type { ColumnPair } from "../aligned-table.js";

export interface NumericDistribution {
  column: string;
  kind: "numeric";
  type: "numerical" | "datetime";
  edges: number[];
  real: number[];
  synthetic: number[];
  realMissing: number;
  syntheticMissing: number;
}

export interface CategoricalDistribution {
  column: string;
  kind: "categorical";
  labels: string[];
  real: number[];
  synthetic: number[];
  realMissing: number;
  syntheticMissing: number;
}

export type ColumnDistribution = NumericDistribution | CategoricalDistribution;

const HISTOGRAM_BINS = 20;
const TOP_CATEGORIES = 20;

function shares(counts: Float64Array, total: number): number[] {
  return Array.from(counts, (c) => (total > 0 ? c / total : 0));
}

export function columnDistributions(columns: ColumnPair[]): ColumnDistribution[] {
  const out: ColumnDistribution[] = [];
  for (const column of columns) {
    if (column.kind === "continuous") {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const values of [column.real, column.synthetic]) {
        for (const v of values) {
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      if (min > max) {
        min = 0;
        max = 1;
      }
      const width = max > min ? (max - min) / HISTOGRAM_BINS : 1;
      const histogram = (values: Float64Array) => {
        const counts = new Float64Array(HISTOGRAM_BINS);
        let present = 0;
        for (const v of values) {
          if (Number.isNaN(v)) continue;
          present++;
          counts[Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor((v - min) / width)))]! += 1;
        }
        return { shares: shares(counts, present), missing: 1 - present / Math.max(values.length, 1) };
      };
      const real = histogram(column.real);
      const synthetic = histogram(column.synthetic);
      out.push({
        column: column.name,
        kind: "numeric",
        type: column.type,
        edges: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, k) => min + k * width),
        real: real.shares,
        synthetic: synthetic.shares,
        realMissing: real.missing,
        syntheticMissing: synthetic.missing,
      });
    } else if (column.kind === "discrete") {
      const count = (codes: Int32Array) => {
        const counts = new Float64Array(column.labels.length);
        let missing = 0;
        for (const c of codes) {
          if (c < 0) missing++;
          else counts[c]! += 1;
        }
        return { counts, missing };
      };
      const real = count(column.real);
      const synthetic = count(column.synthetic);
      const order = Array.from(real.counts.keys()).sort((a, b) => real.counts[b]! - real.counts[a]! || synthetic.counts[b]! - synthetic.counts[a]!);
      const top = order.slice(0, TOP_CATEGORIES);
      const rest = order.slice(TOP_CATEGORIES);
      const pick = (counts: Float64Array, total: number) => {
        const values = top.map((k) => counts[k]! / total);
        if (rest.length > 0) values.push(rest.reduce((s, k) => s + counts[k]!, 0) / total);
        return values;
      };
      const realPresent = Math.max(column.real.length - real.missing, 1);
      const syntheticPresent = Math.max(column.synthetic.length - synthetic.missing, 1);
      out.push({
        column: column.name,
        kind: "categorical",
        labels: [...top.map((k) => column.labels[k]!), ...(rest.length > 0 ? [`other (${rest.length})`] : [])],
        real: pick(real.counts, realPresent),
        synthetic: pick(synthetic.counts, syntheticPresent),
        realMissing: real.missing / Math.max(column.real.length, 1),
        syntheticMissing: synthetic.missing / Math.max(column.synthetic.length, 1),
      });
    }
  }
  return out;
}

export interface DcrHistogram {
  edges: number[];
  synthetic: number[];
  random: number[];
}

export function dcrHistogram(synthetic: Float64Array, random: Float64Array, bins = 30): DcrHistogram {
  let max = 0;
  for (const v of synthetic) if (v > max) max = v;
  for (const v of random) if (v > max) max = v;
  const top = max > 0 ? max : 1;
  const count = (values: Float64Array) => {
    const counts = new Float64Array(bins);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v / top) * bins))]! += 1;
    return shares(counts, values.length);
  };
  return { edges: Array.from({ length: bins + 1 }, (_, k) => (k * top) / bins), synthetic: count(synthetic), random: count(random) };
}
