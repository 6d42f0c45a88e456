/** The real task runner honours what the job's spec asks for (ScoringOptions.privacy) instead of a fixed choice. */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runDatalabTask } from "./datalab-task.js";
import { runRequest } from "./testing/run-request.js";

const dir = await mkdtemp(join(tmpdir(), "datalab-task-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
const PENGUINS = "node_modules/vega-datasets/data/penguins.json";
const hooks = { onProgress: () => undefined, signal: new AbortController().signal };

async function reportOf(privacy: boolean): Promise<{ privacy: unknown; settings: { privacy: boolean } }> {
  const outputDir = join(dir, `privacy-${privacy}`);
  await mkdir(outputDir, { recursive: true });
  const request = runRequest({
    inputPath: PENGUINS,
    outputDir,
    rows: 200,
    scoring: { enabled: true, privacy, holdoutPath: undefined, targetColumn: undefined },
  });
  const result = await runDatalabTask(request, hooks);
  const report = result.files.find((file) => file.kind === "report");
  expect(report).toBeDefined();
  return JSON.parse(await readFile(report!.path, "utf8"));
}

describe("runDatalabTask", () => {
  test("ScoringOptions.privacy decides whether the privacy metrics are computed", async () => {
    const without = await reportOf(false);
    expect(without.privacy).toBeNull();
    const withPrivacy = await reportOf(true);
    expect(withPrivacy.privacy).toMatchObject({ dcrBaselineProtection: { score: expect.any(Number) } });
  });

  test("a model the node does not have fails as bad input, naming the model", async () => {
    await expect(runDatalabTask(runRequest({ model: "privbayes", inputPath: PENGUINS, outputDir: dir }), hooks)).rejects.toThrow(
      /model "privbayes" is not available on this node/,
    );
  });
});
