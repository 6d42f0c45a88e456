/**
 * Service jobs with model ctgan or tvae run on a node through the one job code: a SYNTHESIS task
 * trains (epochs and batch size from the job's model options) and saves the model, and a SAMPLE
 * task on that model gives the same bytes as `datalab sample`; a bad model option is a spec error.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runDatalabTask } from "./datalab-task.js";
import { runSampleJob } from "./synthesis-job.js";
import { TaskSpecError } from "./task-runner.js";
import { runRequest } from "./testing/run-request.js";

const dir = await mkdtemp(join(tmpdir(), "datalab-neural-task-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
const hooks = { onProgress: () => {}, signal: new AbortController().signal };
const weather = (await readFile("node_modules/vega-datasets/data/seattle-weather.csv", "utf8")).trim().split("\n");
const input = join(dir, "weather.csv");
await writeFile(input, `${weather.slice(0, 301).join("\n")}\n`);

describe.each(["ctgan", "tvae"])("model %s on a node", (model) => {
  test("SYNTHESIS trains with the job's model options; SAMPLE on its model matches `datalab sample`", async () => {
    const outputDir = await mkdtemp(join(dir, `${model}-`));
    const stages: string[] = [];
    const result = await runDatalabTask(runRequest({ inputPath: input, outputDir, rows: 120, seed: 4, model, modelOptions: { epochs: 2, batch_size: 100 } }), {
      ...hooks,
      onProgress: (_f: number, stage: string) => stages.push(stage),
    });
    const modelFile = result.files.find((f) => f.kind === "model")!;
    const saved = JSON.parse(await readFile(modelFile.path, "utf8"));
    expect(saved).toMatchObject({ generator: model, training: { epochs: 2, batchSize: 100, rows: 300 } });
    expect(stages.filter((s) => s.startsWith("epoch "))).toHaveLength(2);
    expect(JSON.parse(result.summaryJson)).toMatchObject({ rows: 120, model });

    const sampleDir = await mkdtemp(join(dir, `${model}-sample-`));
    const sampled = await runDatalabTask(runRequest({ kind: "sample", inputPath: modelFile.path, outputDir: sampleDir, rows: 200, seed: 9 }), hooks);
    const reference = join(dir, `${model}-reference.csv`);
    await runSampleJob(modelFile.path, reference, 200, 9n);
    const table = sampled.files.find((f) => f.kind === "table")!;
    expect(Buffer.from(table.data!).toString("utf8")).toBe(await readFile(reference, "utf8"));
  });
});

test("a model option that is not a whole number is a task spec error", async () => {
  const outputDir = await mkdtemp(join(dir, "bad-"));
  await expect(runDatalabTask(runRequest({ inputPath: input, outputDir, model: "ctgan", modelOptions: { epochs: "many" } }), hooks)).rejects.toThrow(
    TaskSpecError,
  );
});
