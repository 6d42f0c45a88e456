/** Tables too small to anonymise, and numbers that could not be computed: refused or "n/a", never NaN. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { captureOutput } from "./capture-output.js";
import { main } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-small-tables-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const datalab = (...argv: string[]) => captureOutput(() => main(argv));

const oneRow = join(dir, "one.csv");
writeFileSync(oneRow, "name,age,city\nAda Lovelace,36,London\n");

describe("too few rows", () => {
  test("synth refuses a one-row table, naming the minimum and the flag, and writes nothing", async () => {
    const out = join(dir, "one.synthetic.csv");
    const { code, stderr } = await datalab("synth", oneRow, "--out", out);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^datalab synth: .*one\.csv has 1 row, fewer than the 10 needed .* --min-rows 1 /);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
  test("with --min-rows lowered it runs, and no number prints as NaN", async () => {
    const { code, stdout, stderr } = await datalab("synth", oneRow, "--out", join(dir, "forced.csv"), "--min-rows", "1", "--report-json", join(dir, "r.json"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/quality: /);
    expect(stdout).not.toMatch(/NaN/);
  });
  test("score refuses a one-row real table; with --min-rows 1 it prints n/a rather than NaN", async () => {
    const refused = await datalab("score", oneRow, oneRow);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/has 1 row, fewer than the 10 the scores need .* --min-rows 1\./);
    const forced = await datalab("score", oneRow, oneRow, "--min-rows", "1", "--html", join(dir, "r.html"));
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toMatch(/NaN/);
    expect(readFileSync(join(dir, "r.html"), "utf8")).not.toMatch(/NaN/);
  });
});

describe("id patterns", () => {
  test("a pattern that holds fewer ids than rows says so (ids stay unique but grow)", async () => {
    const table = join(dir, "ids.csv");
    writeFileSync(table, `id,x\n${Array.from({ length: 30 }, (_, i) => `${i},${(i * 7) % 11}`).join("\n")}\n`);
    const schema = join(dir, "ids.schema.json");
    writeFileSync(
      schema,
      JSON.stringify({
        version: 1,
        columns: [
          { name: "id", type: "id", pattern: "{digits:1}" },
          { name: "x", type: "numerical" },
        ],
      }),
    );
    const out = join(dir, "ids.synthetic.csv");
    const { code, stdout } = await datalab("synth", table, "--schema", schema, "--out", out, "--no-score");
    expect(code).toBe(0);
    expect(stdout).toMatch(/warning: id column "id": the pattern \{digits:1\} holds 10 distinct ids but 30 rows were sampled/);
    const ids = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",")[0]);
    expect(new Set(ids).size).toBe(30);
  });
});
