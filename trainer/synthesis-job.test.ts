/**
 * The synthesis job through its two front doors: `runSynthesisJob` (worker nodes) and the CLI
 * (`datalab synth` / `datalab sample`, called in-process through cli/main.ts), including every
 * bad-input case: exit code, one-line message, and no output file left behind.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { captureOutput } from "../cli/capture-output.js";
import { main } from "../cli/main.js";
import { scoreTables } from "../benchmarks/index.js";
import { type Column, loadTable, type Table } from "../tabular/index.js";
import { runSampleJob, runSynthesisJob, SCORE_MAX_ROWS } from "./synthesis-job.js";

const dir = await mkdtemp(join(tmpdir(), "datalab-synth-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
const PENGUINS = "node_modules/vega-datasets/data/penguins.json";
const CARS = "node_modules/vega-datasets/data/cars.json";

/** Runs the CLI in-process and captures what it prints. */
const cli = (...argv: string[]) => captureOutput(() => main(argv));

/** The first `count` rows of a table. */
function firstRows(table: Table, count: number): Table {
  const columns = table.columns.map(
    (column) => ("codes" in column ? { ...column, codes: column.codes.slice(0, count) } : { ...column, values: column.values.slice(0, count) }) as Column,
  );
  return { rowCount: count, columns };
}

const sha = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
const exists = async (name: string) => (await readdir(dir)).some((entry) => entry.includes(name));

describe("datalab synth / sample", () => {
  test("synth scores, saves the model and reports; sample reads the model back", async () => {
    const out = join(dir, "penguins.synthetic.csv");
    const model = join(dir, "penguins.model.json");
    const html = join(dir, "penguins.report.html");
    const report = join(dir, "penguins.report.json");
    const { code, stdout, stderr } = await cli(
      "synth",
      PENGUINS,
      "--out",
      out,
      "--model-out",
      model,
      "--report",
      html,
      "--report-json",
      report,
      "--json",
      "--seed",
      "7",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ rows: 344, inputRows: 344, seed: "7", columns: { numerical: 4, categorical: 3 } });
    // The copula keeps penguins' shapes well; 0.8 is SDMetrics' "good" threshold.
    expect(summary.quality.overall).toBeGreaterThan(0.8);
    expect(summary.quality.columnShapes).toBeGreaterThan(0.85);
    expect((await loadTable(out)).table.rowCount).toBe(344);
    expect((await readFile(html, "utf8")).startsWith("<!DOCTYPE html>") || (await readFile(html, "utf8")).startsWith("<!doctype html>")).toBe(true);
    expect(JSON.parse(await readFile(report, "utf8")).quality.score).toBeCloseTo(summary.quality.overall, 12);

    const sampled = join(dir, "from-model.parquet");
    const second = await cli("sample", model, "--rows", "1234", "--out", sampled, "--seed", "3", "--where", "Species=Adelie");
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/1,234 synthetic rows/);
    const table = (await loadTable(sampled)).table;
    expect(table.rowCount).toBe(1234);
    const species = table.columns.find((c) => c.schema.name === "Species") as { codes: Int32Array; categories: string[] };
    expect(new Set(Array.from(species.codes, (c) => species.categories[c]))).toEqual(new Set(["Adelie"]));
  });

  test("the human summary names rows, time, column types and quality", async () => {
    const { code, stdout } = await cli("synth", CARS, "--out", join(dir, "cars-human.csv"), "--rows", "500");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^500 synthetic rows \(from 406\) → .*cars-human\.csv in [\d.]+ s/);
    expect(stdout).toMatch(/columns: 6 numerical, 1 datetime, 2 categorical; seed 0/);
    expect(stdout).toMatch(/quality: 0\.\d{3} \(column shapes/);
    expect(stdout).not.toMatch(/privacy on seeded samples/);
  });

  test("exact by default; above --score-max-rows the human summary says how the rows were sampled", async () => {
    const exact = await cli("synth", CARS, "--out", join(dir, "cars-3k.csv"), "--rows", "3000");
    expect(exact.code).toBe(0);
    expect(exact.stdout).toMatch(/quality: [\d.]+ .*new rows [\d.]+\n/);
    expect(exact.stdout).not.toMatch(/sampled/);
    expect(exact.stdout).toMatch(/\nrule breaks: \d+\.\d+% of synthetic rows show a pair of categories the input \(almost\) never shows \(input \d+\.\d+%\)\n/);
    const { code, stdout } = await cli("synth", CARS, "--out", join(dir, "cars-60k.csv"), "--rows", "60000", "--score-max-rows", "5000");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\(sampled: fidelity on the first 5,000 of the 60,000 synthetic rows written \(independent draws, so a uniform sample of the output\) and all real rows; privacy exact/,
    );
    const bad = await cli("synth", CARS, "--out", join(dir, "never.csv"), "--score-max-rows", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--score-max-rows must be a whole number/);
  }, 60_000);

  test("same seed → byte-identical output; another seed → different", async () => {
    const a = join(dir, "det-a.csv");
    const b = join(dir, "det-b.csv");
    const c = join(dir, "det-c.csv");
    expect((await cli("synth", CARS, "--out", a, "--rows", "3000", "--seed", "99", "--no-score")).code).toBe(0);
    expect((await cli("synth", CARS, "--out", b, "--rows", "3000", "--seed", "99", "--no-score")).code).toBe(0);
    expect((await cli("synth", CARS, "--out", c, "--rows", "3000", "--seed", "100", "--no-score")).code).toBe(0);
    expect(await sha(a)).toBe(await sha(b));
    expect(await sha(a)).not.toBe(await sha(c));
  });
});

describe("bad input: exit code ≠ 0, one line on stderr, no output file", () => {
  test.each([
    { name: "malformed-where", args: ["--where", "age>>3"], code: 2, message: /--where: malformed condition "age>>3"/ },
    {
      name: "unknown-category",
      args: ["--where", "Species=Dodo"],
      code: 1,
      message: /"Dodo" never occurs in column "Species"; its values are "Adelie", "Chinstrap", "Gentoo"/,
    },
    { name: "out-of-range", args: ["--where", "Body Mass (g)>99999"], code: 1, message: /observed range is \[2700, 6300\]/ },
    { name: "fractional-rows", args: ["--rows", "2.5"], code: 2, message: /--rows must be a whole number/ },
    { name: "negative-rows", args: ["--rows=-3"], code: 2, message: /--rows must be a whole number/ },
    { name: "bad-seed", args: ["--seed", "abc"], code: 2, message: /--seed must be a whole number from 0 to 2\^64−1/ },
    { name: "bad-extension", args: ["--out-ext", ".xyz"], code: 2, message: /no supported extension/ },
    { name: "bad-marginal", args: ["--marginal", "cauchy"], code: 2, message: /--marginal must be one of/ },
    { name: "unknown-flag", args: ["--rowz", "3"], code: 2, message: /Unknown option '--rowz'/ },
  ])("synth $name", async ({ name, args, code, message }) => {
    const ext = args[0] === "--out-ext" ? args[1]! : ".csv";
    const flags = args[0] === "--out-ext" ? [] : args;
    const out = join(dir, `bad-${name}${ext}`);
    const model = join(dir, `bad-${name}.model.json`);
    const result = await cli("synth", PENGUINS, "--out", out, "--model-out", model, ...flags);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^datalab synth: /);
    expect(await exists(`bad-${name}`)).toBe(false);
  });

  test("a missing input file", async () => {
    const result = await cli("synth", join(dir, "nope.csv"), "--out", join(dir, "bad-missing.csv"));
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(await exists("bad-missing")).toBe(false);
  });

  test("sample: corrupted, other-version and non-model files", async () => {
    const model = join(dir, "good.model.json");
    expect((await cli("synth", PENGUINS, "--out", join(dir, "good.csv"), "--model-out", model, "--no-score")).code).toBe(0);
    const text = await readFile(model, "utf8");
    const cases = [
      { name: "corrupted", content: text.replace('"rows":344', '"rows":345'), message: /corrupted \(its checksum does not match/ },
      { name: "version", content: text.replace('"version":2', '"version":7'), message: /version 7 model file; this datalab reads versions 1 and 2/ },
      { name: "not-model", content: '{"hello": "world"}', message: /not a datalab model file/ },
    ];
    for (const { name, content, message } of cases) {
      const bad = join(dir, `model-${name}.json`);
      await writeFile(bad, content);
      const out = join(dir, `bad-sample-${name}.csv`);
      const result = await cli("sample", bad, "--rows", "10", "--out", out);
      // A file that is not a model `sample` can read is a usage problem (issue 12): exit 2.
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(await exists(`bad-sample-${name}`)).toBe(false);
    }
  });
});

describe("runSynthesisJob / runSampleJob (the worker-node entry points)", () => {
  test("progress is monotone from 0 to 1 and the summary has every stage's time", async () => {
    const fractions: number[] = [];
    const summary = await runSynthesisJob(
      { inputPath: CARS, outputPath: join(dir, "job.csv"), rows: 2000, seed: 1n, modelOutPath: join(dir, "job.model.json") },
      { onProgress: (fraction) => fractions.push(fraction) },
    );
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(Object.keys(summary.seconds)).toEqual(["load", "fit", "sample", "score", "total"]);
    expect(summary.quality?.scoredSyntheticRows).toBe(2000);
    const sampled = await runSampleJob(join(dir, "job.model.json"), join(dir, "job-sample.csv"), undefined, 2n);
    expect(sampled.rows).toBe(406); // default: as many rows as the model was fitted on
  });

  test("up to the bound every metric is exact on all rows, and the summary says so", async () => {
    expect(SCORE_MAX_ROWS).toBe(100_000);
    const summary = await runSynthesisJob({ inputPath: CARS, outputPath: join(dir, "exact.csv"), rows: 3000, seed: 5n });
    expect(summary.quality).toMatchObject({ scoredRealRows: 406, scoredSyntheticRows: 3000, privacyRealRows: 406, privacySyntheticRows: 3000, exact: true });
    expect(summary.quality?.sampling).toBe("fidelity on all rows; privacy exact over all pairs");
    const ruleBreaks = summary.quality!.ruleBreaks;
    expect(ruleBreaks.synthetic).toBeGreaterThanOrEqual(0);
    expect(ruleBreaks.synthetic).toBeLessThanOrEqual(1);
    expect(ruleBreaks.real).toBeLessThan(0.05);
  });

  test("above the bound: the first rows of the output are scored (bounded memory) and the summary and report say how", async () => {
    const reportJsonPath = join(dir, "bounded.report.json");
    // 3000 synthetic rows written, a 1000-row scoring bound, cars' 406 real rows (< it).
    const summary = await runSynthesisJob({ inputPath: CARS, outputPath: join(dir, "bounded.csv"), rows: 3000, seed: 5n, scoreMaxRows: 1000, reportJsonPath });
    expect(summary.quality).toMatchObject({
      scoredRealRows: 406,
      scoredSyntheticRows: 1000,
      syntheticRowsWritten: 3000,
      privacySyntheticRows: 1000,
      exact: false,
    });
    expect(summary.quality?.sampling).toMatch(
      /^fidelity on the first 1,000 of the 3,000 synthetic rows written \(independent draws.*privacy exact over all pairs of those rows$/,
    );
    const report = JSON.parse(await readFile(reportJsonPath, "utf8"));
    expect(report.tables).toMatchObject({ realRows: 406, syntheticRows: 1000 });
    expect(report.settings).toMatchObject({ syntheticRowsWritten: 3000, sampling: summary.quality?.sampling, privacySampleRows: null });
    // The scored rows are the output file's first 1000 rows: the same Quality as scoring them read back from the file.
    const real = (await loadTable(CARS)).table;
    const written = (await loadTable(join(dir, "bounded.csv"), { schema: (await loadTable(CARS)).schema })).table;
    expect(written.rowCount).toBe(3000);
    const scored = await scoreTables(real, firstRows(written, 1000), { privacy: false });
    expect(summary.quality?.overall).toBeCloseTo(scored.quality.score, 12);
    expect(summary.quality?.overall).not.toBeCloseTo((await scoreTables(real, written, { privacy: false })).quality.score, 12);
  });

  test("a real table over the bound is sampled (seeded) for privacy, and the sentence names the sample", async () => {
    const summary = await runSynthesisJob({ inputPath: CARS, outputPath: join(dir, "real-sampled.csv"), rows: 200, seed: 5n, scoreMaxRows: 300 });
    expect(summary.quality).toMatchObject({ scoredRealRows: 406, privacyRealRows: 300, privacySyntheticRows: 200, exact: false });
    expect(summary.quality?.sampling).toBe("fidelity on all rows; privacy on a seeded uniform sample of 300 of 406 real rows (bound 300 rows per table)");
  });

  test("a bad scoring bound fails before any file is written", async () => {
    const out = join(dir, "never.csv");
    await expect(runSynthesisJob({ inputPath: CARS, outputPath: out, scoreMaxRows: 0 })).rejects.toThrow(/--score-max-rows/);
    expect(existsSync(out)).toBe(false);
  });

  test("with a target column the summary carries ML efficacy", async () => {
    const summary = await runSynthesisJob({ inputPath: PENGUINS, outputPath: join(dir, "useful.csv"), seed: 4n, targetColumn: "Species" });
    expect(summary.quality?.usefulness?.target).toBe("Species");
    // Species is nearly determined by the beak and flipper measurements, which the copula keeps;
    // a synthetic-trained classifier should reach at least half the real-trained F1.
    expect(summary.quality?.usefulness?.ratio).toBeGreaterThan(0.5);
  });

  test("an aborted job leaves neither table nor model", async () => {
    const controller = new AbortController();
    const job = runSynthesisJob(
      { inputPath: CARS, outputPath: join(dir, "abort.csv"), rows: 2_000_000, modelOutPath: join(dir, "abort.model.json"), chunkRows: 10_000 },
      { signal: controller.signal, onProgress: (fraction, stage) => stage === "sample" && fraction > 0.2 && controller.abort() },
    );
    await expect(job).rejects.toThrow();
    expect(await exists("abort")).toBe(false);
  });
});
