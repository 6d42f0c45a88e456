/**
 * Differentially private synthesis through its front doors: `datalab synth --model … --epsilon`
 * (refusals are one line, exit 2, nothing written), `datalab sample` from the private model, and
 * the worker-node task (JobSpec.epsilon) running the same job code.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { captureOutput } from "../cli/capture-output.js";
import { main } from "../cli/main.js";
import type { TableSchema } from "../tabular/index.js";
import { runDatalabTask } from "./datalab-task.js";
import { TaskSpecError } from "./task-runner.js";

const dir = await mkdtemp(join(tmpdir(), "datalab-dp-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
const SEATTLE = "node_modules/vega-datasets/data/seattle-weather.csv";
const cli = (...argv: string[]) => captureOutput(() => main(argv));
const files = async () => (await readdir(dir)).sort();

// The user's schema: written by `datalab schema --categories`, the date declared an id (private fits do not model datetimes).
const schemaPath = join(dir, "seattle.schema.json");
const written = await cli("schema", SEATTLE, "--categories", "--out", schemaPath);
const declared = JSON.parse(await readFile(schemaPath, "utf8")) as TableSchema;
declared.columns = declared.columns.map((c) => (c.name === "date" ? { name: "date", type: "id", pattern: "{digits:8}" } : c));
await writeFile(schemaPath, JSON.stringify(declared));

describe("datalab synth --epsilon", () => {
  test("datalab schema --categories lists the labels a private fit needs", () => {
    expect(written.code).toBe(0);
    expect(declared.columns.find((c) => c.name === "weather")).toEqual({
      name: "weather",
      type: "categorical",
      categories: ["drizzle", "fog", "rain", "snow", "sun"],
    });
  });

  test.each([
    [["--epsilon", "1"], /model "copula" is not differentially private.*--model mst or --model dp-copula/],
    [["--model", "mst", "--epsilon", "0"], /--epsilon must be a finite number > 0, got 0/],
    [["--model", "mst", "--epsilon=-1"], /--epsilon must be a finite number > 0, got -1/],
    [["--model", "mst", "--epsilon", "NaN"], /--epsilon must be a finite number > 0, got NaN/],
    [["--model", "dp-copula", "--epsilon", "abc"], /--epsilon must be a finite number > 0, got NaN/],
    [["--model", "mst", "--epsilon", "1", "--delta", "0"], /--delta must be a number in \(0, 1\), got 0/],
    [["--model", "mst", "--epsilon", "1", "--delta", "0.001", "--schema", schemaPath], /--delta 0\.001 is not below 1\/n = 0\.000684/],
    [["--model", "mst", "--epsilon", "1"], /needs the domain of every column from a schema file.*datalab schema <data> --categories --out s\.json/],
    [["--model", "dp-copula"], /dp-copula is differentially private and needs --epsilon/],
    [["--model", "aim"], /model aim is differentially private and needs --epsilon/],
    [["--model", "aim", "--epsilon", "0"], /--epsilon must be a finite number > 0, got 0/],
    [["--model", "privbayes"], /unknown model "privbayes"; use one of copula, mst, dp-copula, aim, ctgan, tvae/],
  ])("%j is refused with one line, exit 2, and nothing written", async (flags, message) => {
    const before = await files();
    const { code, stdout, stderr } = await cli("synth", SEATTLE, "--out", join(dir, "refused.csv"), "--model-out", join(dir, "refused.json"), ...flags);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(await files()).toEqual(before);
  });

  test.each(["mst", "dp-copula", "aim"])(
    "--model %s --epsilon 1 writes ε, δ, ρ and mechanisms into the summary, model file and report; sample reads the model",
    async (model) => {
      const out = join(dir, `${model}.csv`);
      const modelPath = join(dir, `${model}.model.json`);
      const report = join(dir, `${model}.report.json`);
      const html = join(dir, `${model}.report.html`);
      const run = await cli(
        "synth",
        SEATTLE,
        "--model",
        model,
        "--epsilon",
        "1",
        "--schema",
        schemaPath,
        "--out",
        out,
        "--model-out",
        modelPath,
        "--report-json",
        report,
        "--report",
        html,
        "--json",
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary.model).toBe(model);
      expect(summary.differentialPrivacy).toMatchObject({ epsilon: 1, delta: 1e-9, privateRandomness: true });
      expect(summary.differentialPrivacy.rho).toBeGreaterThan(0);
      const saved = JSON.parse(await readFile(modelPath, "utf8"));
      expect(saved.privacy).toEqual(summary.differentialPrivacy);
      expect(JSON.parse(await readFile(report, "utf8")).differentialPrivacy).toEqual(summary.differentialPrivacy);
      expect(await readFile(html, "utf8")).toMatch(/Differential privacy:<\/strong> ε = 1, δ = 1e-9/);
      // A private fit never reads the domain from the data: the model's schema is the declared one.
      expect(saved.schema.columns.find((c: { name: string }) => c.name === "weather").categories).toEqual(["drizzle", "fog", "rain", "snow", "sun"]);

      const human = await cli(
        "synth",
        SEATTLE,
        "--model",
        model,
        "--epsilon",
        "2",
        "--delta",
        "1e-6",
        "--schema",
        schemaPath,
        "--out",
        join(dir, `${model}-2.csv`),
        "--no-score",
      );
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(new RegExp(`model: ${model}, differentially private: ε = 2, δ = 0\\.000001 \\(ρ = [\\d.e-]+ zCDP`));

      const sampled = await cli("sample", modelPath, "--rows", "300", "--out", join(dir, `${model}-sampled.csv`), "--seed", "4");
      expect(sampled.code).toBe(0);
      expect(sampled.stdout).toMatch(/300 synthetic rows/);
    },
  );

  test("--bounds-epsilon-share buys the bounds a schema leaves open; without it the refusal names both fixes", async () => {
    const openPath = join(dir, "seattle.open.schema.json");
    const open = { ...declared, columns: declared.columns.map((c) => (c.name === "temp_max" ? { ...c, min: null, max: null } : c)) };
    await writeFile(openPath, JSON.stringify(open));
    const args = ["synth", SEATTLE, "--model", "dp-copula", "--epsilon", "1", "--schema", openPath, "--no-score"];
    const refused = await cli(...args, "--out", join(dir, "open-refused.csv"));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /column "temp_max" has no declared min\/max; .* or spend a share of the budget on private bounds with --bounds-epsilon-share F/,
    );
    const misplaced = await cli("synth", SEATTLE, "--model", "mst", "--epsilon", "1", "--schema", schemaPath, "--bounds-epsilon-share", "0.1");
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--bounds-epsilon-share applies to --model dp-copula --epsilon E/);
    const run = await cli(...args, "--bounds-epsilon-share", "0.2", "--out", join(dir, "open.csv"), "--json");
    expect(run.stderr).toBe("");
    const summary = JSON.parse(run.stdout);
    expect(summary.differentialPrivacy.budgetSplit["numeric bounds"]).toBe(0.2);
    expect(summary.differentialPrivacy.domain).toMatch(/bounds of temp_max bought with 0.2 of ρ/);
    const human = await cli(...args, "--bounds-epsilon-share", "0.2", "--out", join(dir, "open-2.csv"));
    expect(human.stdout).toMatch(/split numeric bounds 0\.200, 1-way histograms 0\.400/);
  });

  test("--model mst without --epsilon is the Chow–Liu tree: not private, and said so", async () => {
    const run = await cli("synth", SEATTLE, "--model", "mst", "--out", join(dir, "chow-liu.csv"), "--json", "--no-score");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ model: "mst", differentialPrivacy: null });
  });
});

describe("a worker-node task with JobSpec.epsilon", () => {
  const request = async (model: string, epsilon: number | undefined) => ({
    jobId: "job-dp",
    taskId: "task-dp",
    kind: "synthesis" as const,
    inputPath: SEATTLE,
    outputDir: await mkdtemp(join(dir, "task-")),
    rows: 200,
    seed: 3,
    where: undefined,
    schemaJson: JSON.stringify(declared),
    outputFormat: "csv" as const,
    model,
    modelOptions: {},
    epsilon,
    scoring: { enabled: false, privacy: false, holdoutPath: undefined, targetColumn: undefined },
  });
  const hooks = { onProgress: () => {}, signal: new AbortController().signal };

  test("dp_copula with ε = 1 runs the private fit and its summary carries the guarantee", async () => {
    const result = await runDatalabTask(await request("dp_copula", 1), hooks);
    expect(JSON.parse(result.summaryJson)).toMatchObject({ model: "dp-copula", differentialPrivacy: { epsilon: 1, delta: 1e-9 } });
  });

  test("aim with ε = 1 runs on the node, and aim without ε is refused as a job error", async () => {
    const result = await runDatalabTask(await request("aim", 1), hooks);
    expect(JSON.parse(result.summaryJson)).toMatchObject({
      model: "aim",
      differentialPrivacy: { epsilon: 1, delta: 1e-9, neighbours: "add or remove one row" },
    });
    await expect(runDatalabTask(await request("aim", undefined), hooks)).rejects.toThrow(/aim is differentially private and needs --epsilon/);
  });

  test("dp_copula with model option bounds_epsilon_share buys open bounds on the node", async () => {
    const open = { ...declared, columns: declared.columns.map((c) => (c.name === "temp_max" ? { ...c, min: null, max: null } : c)) };
    const task = { ...(await request("dp_copula", 1)), schemaJson: JSON.stringify(open), modelOptions: { bounds_epsilon_share: 0.1 } };
    const result = await runDatalabTask(task, hooks);
    expect(JSON.parse(result.summaryJson).differentialPrivacy.budgetSplit["numeric bounds"]).toBe(0.1);
  });

  test("ε with the non-private copula fails as a job error (not retried), with the fix in the message", async () => {
    await expect(runDatalabTask(await request("gaussian_copula", 1), hooks)).rejects.toThrow(TaskSpecError);
    await expect(runDatalabTask(await request("gaussian_copula", 1), hooks)).rejects.toThrow(/not differentially private/);
  });
});
