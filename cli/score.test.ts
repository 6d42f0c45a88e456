import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { captureOutput } from "./capture-output.js";
import { CliError } from "./cli-error.js";
import { run } from "./score.js";

const fixtures = new URL("../benchmarks/fixtures/sdmetrics/", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "datalab-score-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const capture = (argv: string[]) => captureOutput(() => run(argv));

describe("datalab score", () => {
  test("scores the seattle-weather case with a holdout and SDV metadata, writes JSON and HTML", async () => {
    const dir = join(fixtures, "seattle-weather");
    const jsonPath = join(out, "report.json");
    const htmlPath = join(out, "report.html");
    const { code, stdout } = await capture([
      join(dir, "real.csv"),
      join(dir, "synthetic_gaussian_copula.csv"),
      "--holdout",
      join(dir, "holdout.csv"),
      "--sdv-metadata",
      join(dir, "metadata.json"),
      "--target",
      "weather",
      "--json",
      jsonPath,
      "--html",
      htmlPath,
      "--seed",
      "5",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^quality 0\.872 /);
    expect(stdout).toMatch(/verdict: Overall /);
    const report = JSON.parse(readFileSync(jsonPath, "utf8"));
    const expected = JSON.parse(readFileSync(join(dir, "scores.json"), "utf8")).synthetic.gaussian_copula;
    expect(Math.abs(report.quality.score - expected.quality.overall)).toBeLessThan(0.005);
    expect(report.settings.seed).toBe(5);
    expect(report.usefulness.target).toBe("weather");
    expect(readFileSync(htmlPath, "utf8")).toContain("<svg");
  });
  test("usage errors are CliErrors (exit code 2)", async () => {
    await expect(run(["only-one.csv"])).rejects.toThrow(CliError);
    await expect(run(["a.csv", "b.csv", "--seed", "1.5"])).rejects.toThrow(/--seed must be a whole number/);
    await expect(run(["a.csv", "b.csv", "--known", ","])).rejects.toThrow(/comma-separated list/);
  });
});
