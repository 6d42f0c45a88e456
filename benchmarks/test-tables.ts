/**
 * Tiny hand-written tables for the unit tests: `table(numeric("x", [1, null]), categorical("c",
 * ["a", null]))`. Categorical columns take labels (each table gets its own code order, as real
 * files do), so label alignment is exercised by every test.
 */
import type { Column, Table } from "../tabular/index.js";

export function numeric(name: string, values: Array<number | null>, options: { integer?: boolean } = {}): Column {
  return {
    schema: { name, type: "numerical", subtype: options.integer ? "integer" : "float", decimals: options.integer ? 0 : 3, min: null, max: null },
    values: Float64Array.from(values, (v) => (v === null ? Number.NaN : v)),
  };
}

export function datetime(name: string, isoValues: Array<string | null>): Column {
  return {
    schema: { name, type: "datetime", format: "%Y-%m-%d" },
    values: Float64Array.from(isoValues, (v) => (v === null ? Number.NaN : Date.parse(`${v}T00:00:00Z`))),
  };
}

export function categorical(name: string, labels: Array<string | null>, options: { categoriesOrder?: string[] } = {}): Column {
  const categories = options.categoriesOrder ? [...options.categoriesOrder] : [];
  const codes = Int32Array.from(labels, (label) => {
    if (label === null) return -1;
    let code = categories.indexOf(label);
    if (code < 0) {
      code = categories.length;
      categories.push(label);
    }
    return code;
  });
  return { schema: { name, type: "categorical" }, codes, categories };
}

export function idColumn(name: string, values: Array<string | null>): Column {
  return { schema: { name, type: "id", pattern: "integer" }, values };
}

export function table(...columns: Column[]): Table {
  const first = columns[0];
  const rowCount = first === undefined ? 0 : "codes" in first ? first.codes.length : first.values.length;
  return { rowCount, columns };
}
