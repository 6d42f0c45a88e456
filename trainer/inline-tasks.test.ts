import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INLINE_MAX_MODEL_BYTES, INLINE_MAX_ROWS, runsInline } from "./inline-tasks.js";
import type { TaskRunRequest } from "./task-runner.js";
import { runRequest } from "./testing/run-request.js";

let dir: string;
let small: string;
let large: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "inline-"));
  small = join(dir, "small.json");
  large = join(dir, "large.json");
  await writeFile(small, "{}");
  await writeFile(large, "");
  await truncate(large, INLINE_MAX_MODEL_BYTES + 1);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function sample(overrides: Partial<TaskRunRequest> = {}): TaskRunRequest {
  return runRequest({ kind: "sample", inputPath: small, outputDir: dir, ...overrides });
}

describe("runsInline", () => {
  it("takes small unconditioned CSV samples of a modest model, and nothing else", () => {
    expect(runsInline(sample())).toBe(true);
    expect(runsInline(sample({ rows: INLINE_MAX_ROWS }))).toBe(true);
    expect(runsInline(sample({ rows: INLINE_MAX_ROWS + 1 }))).toBe(false);
    expect(runsInline(sample({ kind: "synthesis" }))).toBe(false);
    expect(runsInline(sample({ where: "island=Biscoe" }))).toBe(false);
    expect(runsInline(sample({ outputFormat: "parquet" }))).toBe(false);
    expect(runsInline(sample({ inputPath: large }))).toBe(false);
    expect(runsInline(sample({ inputPath: join(dir, "missing.json") }))).toBe(false);
  });
});
