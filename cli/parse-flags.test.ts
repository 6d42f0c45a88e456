import { describe, expect, test } from "vitest";
import { CliError } from "./cli-error.js";
import { parseCount, parseFlags } from "./parse-flags.js";

const rows = (text: string) => parseCount("rows", text, 7, { min: 0, max: 1e12 });

describe("parseCount", () => {
  test("takes plain, separated and exponent counts", () => {
    expect(rows("1000")).toBe(1000);
    expect(rows("1_000_000")).toBe(1_000_000);
    expect(rows("1e6")).toBe(1_000_000);
    expect(rows("2.5e3")).toBe(2500);
    expect(parseCount("rows", undefined, 7, { min: 0, max: 10 })).toBe(7);
  });
  test.each(["", " ", "0x10", "0b1", "0o7", "Infinity", " 5", "5 ", "1.5", "-1", "1e13", "abc", "1__0"])("refuses %j with the flag named", (text) => {
    expect(() => rows(text)).toThrow(CliError);
    expect(() => rows(text)).toThrow(/--rows must be a whole number from 0 to 1000000000000/);
  });
});

describe("parseFlags", () => {
  const spec = { rows: { type: "string" }, json: { type: "boolean" } } as const;
  test("a negative number after a string flag is its value, so the range check names it", () => {
    const { values } = parseFlags("synth", ["in.csv", "--rows", "-5"], spec, { min: 1, max: 1, names: "one input" });
    expect(values.rows).toBe("-5");
    expect(() => rows(values.rows!)).toThrow(/--rows must be a whole number from 0 .* got "-5"/);
  });
  test("a dash word that is not a number is still an unknown option", () => {
    expect(() => parseFlags("synth", ["in.csv", "--rows", "-x"], spec, { min: 1, max: 1, names: "one input" })).toThrow(CliError);
  });
});
