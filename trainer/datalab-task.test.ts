/**
 * The SAMPLE runner's two outputs: a small table formatted in memory (handed to the agent as
 * bytes, for CompleteTask's inline chunks) and a larger one written to the attempt's folder.
 * Both must be the bytes `datalab sample` (sampleToFile) writes for the same model and seed.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel, sampleToFile } from "../generators/index.js";
import { runDatalabTask } from "./datalab-task.js";
import { runSynthesisJob } from "./synthesis-job.js";
import type { TaskRunRequest } from "./task-runner.js";

const dir = await mkdtemp(join(tmpdir(), "datalab-task-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const modelPath = join(dir, "penguins.model.json");
await runSynthesisJob({ inputPath: "node_modules/vega-datasets/data/penguins.json", outputPath: join(dir, "fit.csv"), rows: 10, modelOutPath: modelPath, score: false });

function sampleRequest(rows: number, seed: number, outputDir: string, where?: string): TaskRunRequest {
  return {
    jobId: `job-${rows}`,
    taskId: `job-${rows}/1`,
    kind: "sample",
    inputPath: modelPath,
    outputDir,
    rows,
    seed,
    where,
    schemaJson: undefined,
    outputFormat: "csv",
    model: "gaussian_copula",
    modelOptions: {},
    scoring: { enabled: false, privacy: false, holdoutPath: undefined, targetColumn: undefined },
  };
}

const hooks = { onProgress: () => undefined, signal: new AbortController().signal };

describe("runDatalabTask SAMPLE", () => {
  it("keeps a small table in memory, with the bytes sampleToFile writes (also under --where)", async () => {
    for (const where of [undefined, "Species=Adelie"]) {
      const outputDir = join(dir, `small-${where ?? "all"}`);
      await mkdir(outputDir);
      const result = await runDatalabTask(sampleRequest(100, 7, outputDir, where), hooks);
      const table = result.files[0]!;
      expect(table.data).toBeDefined();
      expect(existsSync(table.path)).toBe(false);
      const reference = join(dir, `reference-${where ?? "all"}.csv`);
      await sampleToFile(await loadModel(modelPath), reference, 100, { seed: 7n, ...(where === undefined ? {} : { where }) });
      expect(Buffer.from(table.data!).equals(await readFile(reference))).toBe(true);
    }
  });

  it("writes a table above the in-memory limit to the attempt's folder, as sampleToFile would", async () => {
    const outputDir = join(dir, "large");
    await mkdir(outputDir);
    const result = await runDatalabTask(sampleRequest(20_000, 3, outputDir), hooks);
    const table = result.files[0]!;
    expect(table.data).toBeUndefined();
    const reference = join(dir, "reference-large.csv");
    await sampleToFile(await loadModel(modelPath), reference, 20_000, { seed: 3n });
    expect((await readFile(table.path)).equals(await readFile(reference))).toBe(true);
  });
});
