import { copyFileSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { captureOutput } from "./capture-output.js";
import { main } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-output-safety-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const seattle = new URL("../benchmarks/fixtures/sdmetrics/seattle-weather/", import.meta.url).pathname;
const real = join(dir, "real.csv");
copyFileSync(join(seattle, "real.csv"), real);
const original = readFileSync(real);

const datalab = (...argv: string[]) => captureOutput(() => main(argv));

/** Exit code 2, one line naming the clash, and the real table byte-identical afterwards. */
async function expectRefused(argv: string[], pattern: RegExp) {
  const { code, stderr, stdout } = await datalab(...argv);
  expect(code).toBe(2);
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stdout).toBe("");
  expect(readFileSync(real).equals(original)).toBe(true);
}

describe("no output replaces an input", () => {
  test("synth --out equal to the input", async () => {
    await expectRefused(["synth", real, "--out", real, "--no-score"], /--out .*real\.csv is the input file; writing it would destroy the input/);
  });
  test("synth --out through another spelling, a symbolic link and a hard link", async () => {
    await expectRefused(["synth", real, "--out", `${dir}/./real.csv`, "--no-score"], /is the same file as input/);
    const symlink = join(dir, "link.csv");
    symlinkSync(real, symlink);
    await expectRefused(["synth", real, "--out", symlink, "--no-score"], /--out .*link\.csv is the same file as input/);
    const hardLink = join(dir, "hard.csv");
    linkSync(real, hardLink);
    await expectRefused(["synth", hardLink, "--out", real, "--no-score"], /--out .*real\.csv is the same file as input .*hard\.csv/);
  });
  test("synth --model-out, --report and --report-json against the input, --schema and --holdout", async () => {
    const schema = join(dir, "schema.json");
    expect((await datalab("schema", real, "--out", schema)).code).toBe(0);
    const schemaText = readFileSync(schema);
    await expectRefused(["synth", real, "--out", join(dir, "a.csv"), "--model-out", real], /--model-out .* is the input file/);
    await expectRefused(["synth", real, "--out", join(dir, "a.csv"), "--schema", schema, "--report-json", schema], /--report-json .* is the --schema file/);
    await expectRefused(["synth", real, "--out", join(dir, "a.csv"), "--holdout", real, "--report", real], /--report .* is the input file/);
    await expectRefused(
      ["synth", real, "--out", join(dir, "a.csv"), "--report", join(dir, "r.json"), "--report-json", join(dir, "r.json")],
      /--report-json and --report both name/,
    );
    expect(readFileSync(schema).equals(schemaText)).toBe(true);
  });
  test("score --json / --html against real, synthetic, holdout", async () => {
    await expectRefused(["score", real, join(seattle, "synthetic_gaussian_copula.csv"), "--json", real], /--json .* is the real table file/);
    await expectRefused(
      ["score", join(seattle, "holdout.csv"), join(seattle, "synthetic_gaussian_copula.csv"), "--holdout", real, "--html", real],
      /--html .* is the --holdout file/,
    );
  });
  test("sample --out against the model file", async () => {
    const model = join(dir, "model.json");
    expect((await datalab("synth", real, "--out", join(dir, "s.csv"), "--model-out", model, "--no-score", "--rows", "20")).code).toBe(0);
    const modelText = readFileSync(model);
    const modelAsCsv = join(dir, "model-link.csv");
    linkSync(model, modelAsCsv);
    const { code, stderr } = await datalab("sample", model, "--out", modelAsCsv);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--out .*model-link\.csv is the same file as model file/);
    expect(readFileSync(model).equals(modelText)).toBe(true);
  });
  test("sample --rows 1e12 is refused before writing, with the figures (it wrote until the disk was full)", async () => {
    const model = join(dir, "model.json");
    const out = join(dir, "huge.csv");
    const { code, stderr } = await datalab("sample", model, "--out", out, "--rows", "1e12");
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^datalab sample: 1,000,000,000,000 rows would need about [\d.]+ (TB|PB) for .*huge\.csv \(\d+ bytes a row, measured on 1,000 sampled rows\), but only .* is free there/,
    );
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(readdirSync(dir).filter((name) => name.includes("huge"))).toEqual([]);
  });
  test("a new output next to the input is fine", async () => {
    const { code } = await datalab("synth", real, "--out", join(dir, "fresh.csv"), "--no-score", "--rows", "10");
    expect(code).toBe(0);
    expect(readFileSync(join(dir, "fresh.csv"), "utf8").split("\n")).toHaveLength(12);
  });
});

describe("usage errors exit 2", () => {
  test("a malformed --where is a usage error", async () => {
    const { code, stderr } = await datalab("synth", real, "--out", join(dir, "w.csv"), "--where", "temp_max>>3");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^datalab synth: --where: malformed condition/);
  });
  test("--rows '' and 0x10 and -5 name the flag", async () => {
    for (const value of ["", "0x10", "-5"]) {
      const { code, stderr } = await datalab("synth", real, "--out", join(dir, "r.csv"), "--rows", value);
      expect(code).toBe(2);
      expect(stderr).toMatch(/--rows must be a whole number/);
    }
  });
});
