/**
 * `datalab synth --model ctgan|tvae` and `datalab sample` on their models, through the CLI: a tiny
 * run end to end, and bad input (too few rows for a batch, a column with one value, --epochs 0,
 * a file that is not a model of a kind `sample` reads) as one-line usage errors (exit 2) that
 * leave no output file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { captureOutput } from "./capture-output.js";
import { CliError } from "./cli-error.js";
import { run as sample } from "./sample.js";
import { run as synth } from "./synth.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-synth-neural-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const weather = readFileSync(new URL("../node_modules/vega-datasets/data/seattle-weather.csv", import.meta.url), "utf8")
  .trim()
  .split("\n");
const small = join(dir, "weather-200.csv");
writeFileSync(small, `${weather.slice(0, 201).join("\n")}\n`);

async function usageError(promise: Promise<number>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(2);
  expect((error as CliError).message).toMatch(pattern);
  expect((error as CliError).message).not.toContain("\n");
}

describe("datalab synth --model ctgan|tvae", () => {
  test("a tiny CTGAN run writes the table and a model that `sample` reads, with --where on a category", async () => {
    const out = join(dir, "ctgan.csv");
    const model = join(dir, "ctgan.json");
    const { code, stdout } = await captureOutput(() =>
      synth([small, "--model", "ctgan", "--epochs", "1", "--batch-size", "100", "--out", out, "--model-out", model, "--no-score", "--json"]),
    );
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.model).toBe("ctgan");
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(201);
    const sampled = join(dir, "sampled.csv");
    expect((await captureOutput(() => sample([model, "--rows", "30", "--out", sampled, "--where", "weather=sun"]))).code).toBe(0);
    const rows = readFileSync(sampled, "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(row.endsWith(",sun")).toBe(true);
    // Ranges are a copula feature: a clear error, no file.
    const refused = join(dir, "refused.csv");
    await expect(sample([model, "--out", refused, "--where", "wind>3"])).rejects.toThrow(/conditions only on categorical equalities/);
    expect(existsSync(refused)).toBe(false);
  });

  test("bad input: one-line usage errors, exit 2, no output file", async () => {
    const out = join(dir, "never.csv");
    await usageError(
      synth([small, "--model", "ctgan", "--out", out]),
      /has 200 rows; a ctgan model needs at least 250 \(5 batches of 50\) — use --model copula/,
    );
    await usageError(synth([small, "--model", "tvae", "--epochs", "0", "--out", out]), /--epochs must be a whole number from 1/);
    const constant = join(dir, "constant.csv");
    writeFileSync(constant, `x,flag\n${Array.from({ length: 30 }, (_, i) => `${i},yes`).join("\n")}\n`);
    await usageError(synth([constant, "--model", "tvae", "--batch-size", "10", "--out", out]), /column "flag" has a single value/);
    const notAModel = join(dir, "not-a-model.json");
    writeFileSync(notAModel, '{"version":1,"columns":[]}\n');
    await usageError(sample([notAModel, "--out", out]), /is not a datalab model file/);
    const foreign = join(dir, "foreign.json");
    writeFileSync(foreign, '{"format":"datalab-model","version":1,"generator":"privbayes"}\n');
    await usageError(sample([foreign, "--out", out]), /holds a "privbayes" model/);
    expect(existsSync(out)).toBe(false);
  });
});
