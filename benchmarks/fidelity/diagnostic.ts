/**
 * SDMetrics' Diagnostic report: Data Validity (BoundaryAdherence for numerical/datetime columns,
 * CategoryAdherence for categorical/boolean, KeyUniqueness for id columns) and Data Structure
 * (TableStructure). Null handling follows the reference exactly:
 * - BoundaryAdherence drops nulls from both sides only when the *real* column has a null;
 *   otherwise a synthetic null counts as out of bounds.
 * - CategoryAdherence: a synthetic null adheres iff the real column has a null.
 * - KeyUniqueness: 1 − (rows that are null or repeat an earlier key) / rows.
 */
import type { ColumnPair } from "../aligned-table.js";
import { meanOfDefined } from "./column-pair-trends.js";

export interface ValidityScore {
  column: string;
  metric: "BoundaryAdherence" | "CategoryAdherence" | "KeyUniqueness";
  score: number;
}

export interface DiagnosticResult {
  /** Mean of Data Validity and Data Structure. */
  score: number;
  dataValidity: number;
  dataStructure: number;
  columns: ValidityScore[];
}

export function boundaryAdherence(real: Float64Array, synthetic: Float64Array): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let realHasNull = false;
  for (let i = 0; i < real.length; i++) {
    const v = real[i]!;
    if (Number.isNaN(v)) realHasNull = true;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  let inside = 0;
  let counted = 0;
  for (let i = 0; i < synthetic.length; i++) {
    const v = synthetic[i]!;
    if (Number.isNaN(v)) {
      if (!realHasNull) counted++;
      continue;
    }
    counted++;
    if (v >= min && v <= max) inside++;
  }
  return counted === 0 ? Number.NaN : inside / counted;
}

/** Share of synthetic codes whose label occurs in the real column (labels < realLabelCount). */
export function categoryAdherence(real: Int32Array, synthetic: Int32Array, realLabelCount: number): number {
  let realHasNull = false;
  for (let i = 0; i < real.length; i++) {
    if (real[i]! < 0) {
      realHasNull = true;
      break;
    }
  }
  let inside = 0;
  for (let i = 0; i < synthetic.length; i++) {
    const c = synthetic[i]!;
    if (c < 0 ? realHasNull : c < realLabelCount) inside++;
  }
  return synthetic.length === 0 ? Number.NaN : inside / synthetic.length;
}

export function keyUniqueness(synthetic: (string | null)[]): number {
  const seen = new Set<string>();
  let bad = 0;
  for (const key of synthetic) {
    if (key === null || seen.has(key)) bad++;
    else seen.add(key);
  }
  return synthetic.length === 0 ? Number.NaN : 1 - bad / synthetic.length;
}

/** |(name, type) in both| / |(name, type) in either|. */
export function tableStructure(realColumns: Array<{ name: string; type: string }>, syntheticColumns: Array<{ name: string; type: string }>): number {
  const key = (c: { name: string; type: string }) => JSON.stringify([c.name, c.type]);
  const real = new Set(realColumns.map(key));
  const synthetic = new Set(syntheticColumns.map(key));
  let both = 0;
  for (const k of real) if (synthetic.has(k)) both++;
  const union = real.size + synthetic.size - both;
  return union === 0 ? Number.NaN : both / union;
}

export interface ColumnDescription {
  name: string;
  /** The column's storage type; numbers carry their subtype, as pandas' int64 vs float64 dtypes differ. */
  type: string;
}

/**
 * `structure`: the columns of the real and the synthetic table as their own schemas describe them
 * (TableStructure compares pandas dtypes, so an integer column read back as float counts as a
 * different column). Without it the aligned names and types are used (score 1).
 */
export function diagnostic(columns: ColumnPair[], structure?: { real: ColumnDescription[]; synthetic: ColumnDescription[] }): DiagnosticResult {
  const scores: ValidityScore[] = [];
  for (const column of columns) {
    if (column.kind === "continuous") {
      scores.push({ column: column.name, metric: "BoundaryAdherence", score: boundaryAdherence(column.real, column.synthetic) });
    } else if (column.kind === "discrete") {
      scores.push({ column: column.name, metric: "CategoryAdherence", score: categoryAdherence(column.real, column.synthetic, column.realLabelCount) });
    } else if (column.type === "id") {
      scores.push({ column: column.name, metric: "KeyUniqueness", score: keyUniqueness(column.synthetic) });
    }
  }
  const dataValidity = meanOfDefined(scores.map((s) => s.score));
  const described = columns.map((c) => ({ name: c.name, type: c.type }));
  const dataStructure = structure === undefined ? tableStructure(described, described) : tableStructure(structure.real, structure.synthetic);
  return { score: meanOfDefined([dataValidity, dataStructure]), dataValidity, dataStructure, columns: scores };
}
