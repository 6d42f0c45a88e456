/**
 * Three holders for the tests and the bench: fixtures/adult/adult.csv (32,561 rows) read with its
 * declared schema and split by `marital-status`, so the slices differ in size and in their joint
 * distributions (marital status drives relationship, sex, age and income):
 *   "married"       Married-civ-spouse, Married-AF-spouse           14,999 rows
 *   "never-married" Never-married                                   10,683 rows
 *   "other"         Divorced, Separated, Widowed, Married-spouse-absent  6,879 rows
 */
import type { Column, Table, TableSchema } from "../../../tabular/index.js";
import { ADULT_PATH, loadDeclared } from "../../dp-test-tables.js";

/** The rows of `table` whose index passes `keep`, every column kept. */
export function rowsWhere(table: Table, keep: (row: number) => boolean): Table {
  const rows: number[] = [];
  for (let r = 0; r < table.rowCount; r++) if (keep(r)) rows.push(r);
  const columns = table.columns.map((column): Column => {
    if ("codes" in column) return { ...column, codes: Int32Array.from(rows, (r) => column.codes[r]!) };
    if (column.values instanceof Float64Array) {
      const values = column.values;
      return { ...column, values: Float64Array.from(rows, (r) => values[r]!) } as Column;
    }
    const values = column.values as (string | null)[];
    return { ...column, values: rows.map((r) => values[r]!) } as Column;
  });
  return { rowCount: rows.length, columns };
}

export const SLICE_COLUMN = "marital-status";
const SLICES: Record<string, (label: string) => boolean> = {
  married: (label) => label === "Married-civ-spouse" || label === "Married-AF-spouse",
  "never-married": (label) => label === "Never-married",
  other: (label) => !["Married-civ-spouse", "Married-AF-spouse", "Never-married"].includes(label),
};

export interface AdultHolders {
  pooled: Table;
  schema: TableSchema;
  holders: { holder: string; table: Table }[];
}

/** Adult, pooled and as three holders' slices. */
export async function adultHolders(): Promise<AdultHolders> {
  const { table, schema } = await loadDeclared(ADULT_PATH);
  const column = table.columns.find((c) => c.schema.name === SLICE_COLUMN);
  if (column === undefined || !("codes" in column)) throw new Error(`fixtures/adult/adult.csv has no categorical "${SLICE_COLUMN}" column`);
  const holders = Object.entries(SLICES).map(([holder, inSlice]) => ({
    holder,
    table: rowsWhere(table, (r) => column.codes[r]! >= 0 && inSlice(column.categories[column.codes[r]!]!)),
  }));
  return { pooled: table, schema, holders };
}
