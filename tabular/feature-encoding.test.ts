/**
 * Feature encoding from the shared schema, on Adult: the layout follows the schema alone, two
 * holders' slices encode exactly as the same rows of the pooled table, scaled values stay in
 * [−1, 1], test-set labels outside the schema's list are counted, bad schemas are refused.
 */
import { describe, expect, test } from "vitest";
import { decodeScaledTarget, encodeFeatures, planFeatures } from "./feature-encoding.js";
import { loadTable } from "./load-table.js";
import type { TableSchema } from "./schema.js";
import type { Table } from "./table.js";

const ADULT = "fixtures/adult/adult.csv";

let loaded: Promise<{ schema: TableSchema; table: Table }> | undefined;

/** Adult read once for the file (the read takes seconds on a loaded host). */
function sharedAdultSchema(): Promise<{ schema: TableSchema; table: Table }> {
  loaded ??= readSharedAdultSchema();
  return loaded;
}

async function readSharedAdultSchema(): Promise<{ schema: TableSchema; table: Table }> {
  const { table, schema } = await loadTable(ADULT);
  // The declared domain: each categorical column's labels (what `datalab schema --categories` writes).
  const columns = schema.columns.map((column, i) => {
    const data = table.columns[i];
    if (column.type === "categorical" && data && "categories" in data) return { ...column, categories: [...data.categories].sort() };
    return column;
  });
  return { schema: { ...schema, columns }, table };
}

function largestMagnitude(values: Float32Array): number {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  return largest;
}

/** Rows [start, end) of a table as its own table (one holder's slice). */
function sliceRows(table: Table, keep: number[]): Table {
  return {
    rowCount: keep.length,
    columns: table.columns.map((column) => {
      if ("codes" in column) return { ...column, codes: Int32Array.from(keep, (r) => column.codes[r] as number) };
      if ("values" in column && column.values instanceof Float64Array)
        return { ...column, values: Float64Array.from(keep, (r) => (column.values as Float64Array)[r] as number) };
      return { ...column, values: keep.map((r) => (column.values as (string | null)[])[r] ?? null) };
    }),
  } as Table;
}

describe("feature encoding", () => {
  test("Adult: one-hot widths from the schema, scaled values in [−1, 1], every categorical block sums to 1", async () => {
    const { schema, table } = await sharedAdultSchema();
    const plan = planFeatures(schema, { target: "income", logColumns: ["capital-gain", "capital-loss"] });
    const numeric = schema.columns.filter((c) => c.type === "numerical").length;
    const categoryCount = schema.columns
      .filter((c) => c.type === "categorical" && c.name !== "income")
      .reduce((n, c) => n + (c.type === "categorical" ? (c.categories?.length ?? 0) : 0), 0);
    expect(plan.width).toBe(numeric + categoryCount);
    expect(plan.target).toEqual({ name: "income", kind: "classes", classes: ["<=50K", ">50K"] });
    const encoded = encodeFeatures(table, plan);
    expect(encoded.rows).toBe(table.rowCount);
    expect(encoded.droppedRows).toBe(0);
    expect(largestMagnitude(encoded.features)).toBeLessThanOrEqual(1);
    for (const input of plan.inputs) {
      if (input.kind !== "oneHot") continue;
      for (let r = 0; r < encoded.rows; r += 97) {
        let sum = 0;
        for (let k = 0; k < input.categories.length; k += 1) sum += encoded.features[r * plan.width + input.offset + k] as number;
        if (sum !== 1) expect(sum, `row ${r}, column ${input.name}`).toBe(1);
      }
    }
    // About 24% of Adult earns >50K.
    const positives = (encoded.targets as Int32Array).reduce((n, y) => n + y, 0) / encoded.rows;
    expect(positives).toBeGreaterThan(0.22);
    expect(positives).toBeLessThan(0.26);
    // Row 0: age 39 on the declared [min, max] range.
    const age = plan.inputs.find((i) => i.name === "age");
    if (age?.kind !== "scaled") throw new Error("age should be scaled");
    expect(encoded.features[age.offset]).toBeCloseTo((2 * (39 - age.low)) / (age.high - age.low) - 1, 6);
  });

  test("two holders' slices encode exactly as the same rows of the pooled table", async () => {
    const { schema, table } = await sharedAdultSchema();
    const plan = planFeatures(schema, { target: "income" });
    const pooled = encodeFeatures(table, plan);
    const sex = table.columns.find((c) => c.schema.name === "sex");
    if (!sex || !("codes" in sex)) throw new Error("sex should be categorical");
    const female = sex.categories.indexOf("Female");
    const rowsA: number[] = [];
    const rowsB: number[] = [];
    for (let r = 0; r < table.rowCount; r += 1) (sex.codes[r] === female ? rowsA : rowsB).push(r);
    for (const rows of [rowsA, rowsB]) {
      const local = encodeFeatures(sliceRows(table, rows), plan);
      expect(local.width).toBe(pooled.width);
      for (let i = 0; i < rows.length; i += 53) {
        const r = rows[i] as number;
        expect(Array.from(local.features.subarray(i * plan.width, (i + 1) * plan.width))).toEqual(
          Array.from(pooled.features.subarray(r * plan.width, (r + 1) * plan.width)),
        );
        expect(local.targets[i]).toBe(pooled.targets[r]);
      }
    }
  });

  test("the test set: labels outside the schema's list are counted, out-of-range values clamped", async () => {
    const { schema } = await sharedAdultSchema();
    const plan = planFeatures(schema, { target: "income" });
    const { table } = await loadTable("fixtures/adult/adult_test.csv", { schema });
    const encoded = encodeFeatures(table, plan);
    expect(encoded.rows).toBe(table.rowCount - encoded.droppedRows);
    expect(encoded.rows).toBeGreaterThan(16000);
    // A holder whose rows carry a label the shared schema does not list: an all-zero block, counted.
    const race = table.columns.find((c) => c.schema.name === "race");
    if (!race || !("codes" in race)) throw new Error("race should be categorical");
    const renamed = {
      ...table,
      columns: table.columns.map((c) => (c === race ? { ...race, categories: race.categories.map((label) => (label === "White" ? "Martian" : label)) } : c)),
    };
    const whites = Array.from(race.codes).filter((code) => race.categories[code] === "White").length;
    const withUnknown = encodeFeatures(renamed, plan);
    expect(withUnknown.unknownLabels - encoded.unknownLabels).toBe(whites);
    expect(largestMagnitude(encoded.features)).toBeLessThanOrEqual(1);
  });

  test("regression target scaled by its declared range and decoded back", async () => {
    const { schema, table } = await sharedAdultSchema();
    const plan = planFeatures(schema, { target: "hours-per-week", exclude: ["income"] });
    expect(plan.target.kind).toBe("scaled");
    const encoded = encodeFeatures(table, plan);
    expect(encoded.targets).toBeInstanceOf(Float32Array);
    expect(decodeScaledTarget(plan, encoded.targets[0] as number)).toBeCloseTo(40, 3);
  });

  test("schemas that cannot give identical encodings are refused with the fix", async () => {
    const { schema } = await sharedAdultSchema();
    const noCategories = {
      ...schema,
      columns: schema.columns.map((c) => (c.name === "race" && c.type === "categorical" ? { name: c.name, type: c.type } : c)),
    };
    expect(() => planFeatures(noCategories, { target: "income" })).toThrow(
      /column "race" has no categories in the shared schema; write them with datalab schema --categories/,
    );
    const noRange = { ...schema, columns: schema.columns.map((c) => (c.name === "age" && c.type === "numerical" ? { ...c, min: null } : c)) };
    expect(() => planFeatures(noRange, { target: "income" })).toThrow(/column "age" has no declared min\/max/);
    expect(() => planFeatures(schema, { target: "salary" })).toThrow(/column "salary" is not in the shared schema/);
    expect(() => planFeatures(schema, { target: "income", logColumns: ["sex"] })).toThrow(/"sex" is in logColumns but is categorical/);
  });
});
