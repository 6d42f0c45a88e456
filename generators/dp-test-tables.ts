/**
 * Real tables with a declared domain, for the DP generators' tests and bench: Adult (categories
 * and bounds listed as `datalab schema --categories` writes them) and seattle-weather (its date
 * column declared an id: private fits do not model datetimes).
 */
import { loadTable, type Table, type TableSchema } from "../tabular/index.js";

export const ADULT_PATH = "fixtures/adult/adult.csv";
export const ADULT_TEST_PATH = "fixtures/adult/adult_test.csv";
export const SEATTLE_PATH = "node_modules/vega-datasets/data/seattle-weather.csv";

/** The schema a user would write with `datalab schema --categories` (labels sorted, bounds as inferred). */
export function withDeclaredCategories(table: Table, schema: TableSchema): TableSchema {
  return {
    ...schema,
    columns: schema.columns.map((column, i) => {
      const data = table.columns[i];
      return column.type === "categorical" && data !== undefined && "categories" in data ? { ...column, categories: [...data.categories].sort() } : column;
    }),
  };
}

/** A table loaded with a declared schema: what `datalab synth --schema s.json` sees. */
export async function loadDeclared(path: string, edit: (schema: TableSchema) => TableSchema = (s) => s): Promise<{ table: Table; schema: TableSchema }> {
  const inferred = await loadTable(path);
  const schema = edit(withDeclaredCategories(inferred.table, inferred.schema));
  const { table } = await loadTable(path, { schema });
  return { table, schema };
}

/** seattle-weather with `date` declared an id column (regenerated, not learned). */
export function seattleDateAsId(schema: TableSchema): TableSchema {
  return { ...schema, columns: schema.columns.map((c) => (c.name === "date" ? { name: "date", type: "id", pattern: "{digits:8}" } : c)) };
}
