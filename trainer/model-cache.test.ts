import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fitGaussianCopula, saveModel } from "../generators/index.js";
import { loadTable } from "../tabular/index.js";
import { runDatalabTask } from "./datalab-task.js";
import { ModelCache } from "./model-cache.js";
import { runSampleJob } from "./synthesis-job.js";
import type { TaskRunRequest } from "./task-runner.js";

const PENGUINS = join(import.meta.dirname, "..", "node_modules", "vega-datasets", "data", "penguins.json");
let dir: string;
let modelPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-model-cache-"));
  modelPath = join(dir, "penguins.model.json");
  const { table } = await loadTable(PENGUINS);
  await saveModel(modelPath, fitGaussianCopula(table));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sampleRequest(outputDir: string, seed: number, where?: string, rows = 250): TaskRunRequest {
  return {
    jobId: "job-1",
    taskId: "job-1/lease",
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

describe("ModelCache", () => {
  test("parses a model file once, and again once the file is replaced", async () => {
    const cache = new ModelCache(2);
    const first = await cache.load(modelPath);
    expect(await cache.load(modelPath)).toBe(first);
    expect(cache.parses).toBe(1);
    // Replaced by temp file + rename (how every writer here writes): a new inode, parsed again.
    const copy = join(dir, "copy.json");
    await copyFile(modelPath, copy);
    await rename(copy, modelPath);
    const second = await cache.load(modelPath);
    expect(cache.parses).toBe(2);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  test("keeps at most maxEntries models, dropping the least recently used", async () => {
    const cache = new ModelCache(1);
    const other = join(dir, "other.model.json");
    await copyFile(modelPath, other);
    await cache.load(modelPath);
    await cache.load(other);
    await cache.load(modelPath);
    expect(cache.parses).toBe(3);
  });

  test("a file that fails to load is not remembered", async () => {
    const cache = new ModelCache();
    const broken = join(dir, "broken.model.json");
    await copyFile(modelPath, broken);
    const text = await readFile(broken, "utf8");
    await writeFile(broken, text.replace(/"checksum":"sha256:[0-9a-f]{8}/, '"checksum":"sha256:00000000'));
    await expect(cache.load(broken)).rejects.toThrow(/corrupted/);
    await expect(cache.load(broken)).rejects.toThrow(/corrupted/);
    expect(cache.parses).toBe(2);
  });
});

describe("SAMPLE tasks with the cached model", () => {
  // Differential check against `runSampleJob` (the `datalab sample` entry point, which parses the
  // file every time): the same seed must give byte-identical output, with and without conditions.
  test.each([
    [7, undefined],
    [8, "Species=Adelie"],
  ])("seed %d, where %s: the same file as runSampleJob", async (seed, where) => {
    const outputDir = await mkdtemp(join(dir, "task-"));
    for (let run = 0; run < 2; run++) {
      const result = await runDatalabTask(sampleRequest(outputDir, seed, where), hooks);
      const reference = join(dir, `reference-${seed}.csv`);
      await runSampleJob(modelPath, reference, 250, BigInt(seed), where);
      const table = result.files.find((f) => f.kind === "table");
      expect(table).toBeDefined();
      // 250 rows are kept in memory (no file written); larger tables go to table.path.
      expect(table!.data).toBeDefined();
      expect(existsSync(table!.path)).toBe(false);
      expect(Buffer.from(table!.data!).toString("utf8")).toBe(await readFile(reference, "utf8"));
      expect(JSON.parse(result.summaryJson)).toMatchObject({ rows: 250, seed: String(seed) });
    }
  });

  test("a table above the in-memory limit is written to the attempt's folder, the same file as runSampleJob", async () => {
    const outputDir = await mkdtemp(join(dir, "task-"));
    const result = await runDatalabTask(sampleRequest(outputDir, 3, undefined, 20_000), hooks);
    const table = result.files.find((f) => f.kind === "table")!;
    expect(table.data).toBeUndefined();
    const reference = join(dir, "reference-large.csv");
    await runSampleJob(modelPath, reference, 20_000, 3n, undefined);
    expect((await readFile(table.path)).equals(await readFile(reference))).toBe(true);
  });
});
