/**
 * Neighbouring tables for the synthesizer audits: a slice of a real table, and the same slice with
 * one canary row added whose value in one categorical column ("canary") no real row has, though
 * the schema declares it (a DP fit takes its domain from the schema, never from the data). An
 * attack then looks for that value's trace in the fitted model.
 */
import type { CategoricalColumn, Column, Table, TableSchema } from "../../tabular/index.js";

export const CANARY_LABEL = "canary-⚑";

export interface NeighbouringTables {
  readonly schema: TableSchema;
  readonly without: Table;
  readonly withCanary: Table;
  /** Name of the column that carries the canary value. */
  readonly canaryColumn: string;
}

/**
 * Keeps the categorical columns `columns` and the first `rows` rows of `table`; adds CANARY_LABEL
 * to `canaryColumn`'s declared categories, and to the second table a copy of row 0 carrying it.
 */
export function neighbouringTables(table: Table, schema: TableSchema, columns: readonly string[], canaryColumn: string, rows: number): NeighbouringTables {
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
  const slice = (column: CategoricalColumn, extra: number | null): Column => {
    const length = extra === null ? rows : rows + 1;
    const codes = new Int32Array(length);
    codes.set(column.codes.subarray(0, rows));
    const categories = [...column.categories];
    if (column.schema.name === canaryColumn) categories.push(CANARY_LABEL);
    if (extra !== null) codes[rows] = column.schema.name === canaryColumn ? categories.length - 1 : column.codes[0]!;
    return { schema: outSchema.columns.find((c) => c.name === column.schema.name) as CategoricalColumn["schema"], codes, categories };
  };
  return {
    schema: outSchema,
    without: { rowCount: rows, columns: picked.map((c) => slice(c, null)) },
    withCanary: { rowCount: rows + 1, columns: picked.map((c) => slice(c, 0)) },
    canaryColumn,
  };
}
