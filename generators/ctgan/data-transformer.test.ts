/**
 * The CTGAN row encoding on real tables: one-hot and mode layout, α in [−0.99, 0.99], and decoding the
 * encoding gives back the table (categories exactly, numbers to their rounding, nulls as nulls).
 */
import { describe, expect, test } from "vitest";
import { loadTable, type Table } from "../../tabular/index.js";
import { roundInto } from "../copula-sampler.js";
import { decodeContinuous, decodeDiscrete, encodeTable, fitTableTransform, layoutOf } from "./data-transformer.js";

const adult = (await loadTable("fixtures/adult/adult.csv")).table;
const weather = (await loadTable("node_modules/vega-datasets/data/seattle-weather.csv")).table;

function roundTrip(table: Table) {
  const transform = fitTableTransform(table);
  const { data } = encodeTable(transform, table, 3n);
  const layout = layoutOf(transform.columns);
  const n = table.rowCount;
  transform.columns.forEach((column, c) => {
    const start = layout.columnStarts[c]!;
    const source = table.columns[column.column]!;
    if (column.kind === "discrete") {
      expect(Array.from(decodeDiscrete(column, start, data, transform.width, n))).toEqual(Array.from((source as { codes: Int32Array }).codes));
      return;
    }
    const decoded = decodeContinuous(column, start, data, transform.width, n);
    const rounded = new Float64Array(n);
    roundInto(rounded, decoded, column.rounding);
    const values = (source as { values: Float64Array }).values;
    let exact = 0;
    let nullMismatches = 0;
    for (let r = 0; r < n; r++) {
      if (Number.isNaN(rounded[r]!) !== Number.isNaN(values[r]!)) nullMismatches++;
      if (Number.isNaN(values[r]!) || Math.abs(rounded[r]! - values[r]!) <= 1e-6 * Math.max(1, Math.abs(values[r]!))) exact++;
    }
    expect(nullMismatches).toBe(0);
    // Only values beyond ±3.96σ of their drawn mode are clipped (α = ±0.99); for a fitted mixture that is a rare tail.
    expect(exact / n).toBeGreaterThan(0.99);
  });
  return transform;
}

describe("fitTableTransform / encodeTable / decode", () => {
  test("Adult: layout, α range, one 1 per one-hot, and a faithful round trip", () => {
    const started = performance.now();
    fitTableTransform(adult);
    const fitMs = performance.now() - started;
    const transform = roundTrip(adult);
    // 6 numerical columns at ≤ 10 modes + 9 categoricals' one-hots.
    const numeric = transform.columns.filter((c) => c.kind === "continuous");
    expect(numeric).toHaveLength(6);
    for (const column of numeric) expect(column.means.length).toBeLessThanOrEqual(10);
    const { data } = encodeTable(transform, adult, 3n);
    for (let r = 0; r < adult.rowCount; r += 97) {
      for (const span of transform.spans) {
        const part = data.subarray(r * transform.width + span.start, r * transform.width + span.start + span.width);
        if (span.activation === "softmax") expect(part.reduce((s, x) => s + x, 0)).toBe(1);
        else expect(Math.abs(part[0]!)).toBeLessThanOrEqual(0.99 + 1e-7);
      }
    }
    // The fit takes seconds, not the reference's 33 s (loose bound for a shared machine; the bench measures it).
    expect(fitMs).toBeLessThan(10_000);
  });

  test("seattle-weather: a datetime column and a categorical round-trip", () => {
    const transform = roundTrip(weather);
    expect(transform.columns.find((c) => c.name === "date")?.kind).toBe("continuous");
  });

  test("nulls become a present/null one-hot and come back as nulls", () => {
    const values = Float64Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? Number.NaN : (i % 37) * 1.5));
    const table: Table = {
      rowCount: 400,
      columns: [
        { schema: { name: "x", type: "numerical", subtype: "float", decimals: 1, min: 0, max: 54 }, values },
        {
          schema: { name: "c", type: "categorical" },
          codes: Int32Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? -1 : i % 3)),
          categories: ["a", "b", "c"],
        },
      ],
    };
    const transform = roundTrip(table);
    expect(transform.columns[0]).toMatchObject({ kind: "continuous", hasNulls: true });
    expect(transform.columns[1]).toMatchObject({ kind: "discrete", codes: [0, 1, 2, -1] });
  });

  test("a column with one value is refused with a one-line message naming it", () => {
    const table: Table = {
      rowCount: 10,
      columns: [
        { schema: { name: "x", type: "numerical", subtype: "integer", decimals: 0, min: 0, max: 9 }, values: Float64Array.from({ length: 10 }, (_, i) => i) },
        { schema: { name: "only", type: "categorical" }, codes: new Int32Array(10), categories: ["same"] },
      ],
    };
    expect(() => fitTableTransform(table)).toThrow(/column "only" has a single value.*--model copula/);
  });
});
