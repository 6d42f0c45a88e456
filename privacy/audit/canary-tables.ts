/**
 * Neighbouring tables for the synthesizer audits: a slice of a real table, and the same slice with
 * one canary row — added (add-or-remove neighbours, MST's relation) or in place of the last row
 * (replace-one neighbours, the DP copula's) — whose value in one categorical column no real row
 * has, though the schema declares it (a DP fit takes its domain from the schema, never from the
 * data). An attack then looks for that value's trace in the fitted model.
 */
import type { CategoricalColumn, Column, Table, TableSchema } from "../../tabular/index.js";

export const CANARY_LABEL = "canary-⚑";

/** How the two tables differ: one row added, or one row replaced. */
export type NeighbourRelation = "add" | "replace";

export interface NeighbouringTables {
  readonly schema: TableSchema;
  readonly without: Table;
  readonly withCanary: Table;
  /** Name of the column that carries the canary value. */
  readonly canaryColumn: string;
}

/**
 * Keeps the categorical columns `columns` and the first `rows` rows of `table`; adds CANARY_LABEL
 * to `canaryColumn`'s declared categories. The second table gets a copy of row 0 carrying it, after
 * the last row ("add") or instead of it ("replace").
 */
export function neighbouringTables(
  table: Table,
  schema: TableSchema,
  columns: readonly string[],
  canaryColumn: string,
  rows: number,
  relation: NeighbourRelation = "add",
): NeighbouringTables {
  const picked: CategoricalColumn[] = columns.map((name) => {
    const index = schema.columns.findIndex((c) => c.name === name);
    const column = table.columns[index];
    if (column === undefined || !("codes" in column)) throw new Error(`audit tables need categorical column "${name}"`);
    return column;
  });
  const outSchema: TableSchema = {
    ...schema,
    columns: picked.map((column) => {
      const categories = column.categories.filter((label) => label !== CANARY_LABEL);
      if (column.schema.name === canaryColumn) categories.push(CANARY_LABEL);
      return { ...column.schema, type: "categorical" as const, categories };
    }),
  };
  const canaryRows = relation === "add" ? rows + 1 : rows;
  const slice = (column: CategoricalColumn, withCanary: boolean): Column => {
    const codes = new Int32Array(withCanary ? canaryRows : rows);
    codes.set(column.codes.subarray(0, rows).subarray(0, codes.length));
    const categories = [...column.categories];
    if (column.schema.name === canaryColumn) categories.push(CANARY_LABEL);
    if (withCanary) codes[canaryRows - 1] = column.schema.name === canaryColumn ? categories.length - 1 : column.codes[0]!;
    return { schema: outSchema.columns.find((c) => c.name === column.schema.name) as CategoricalColumn["schema"], codes, categories };
  };
  return {
    schema: outSchema,
    without: { rowCount: rows, columns: picked.map((c) => slice(c, false)) },
    withCanary: { rowCount: canaryRows, columns: picked.map((c) => slice(c, true)) },
    canaryColumn,
  };
}
