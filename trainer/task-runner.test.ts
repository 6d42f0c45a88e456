import { describe, expect, it } from "vitest";
import type { JobSpecOut } from "../proto/index.js";
import { BundledInputError, resolveBundledUri } from "./bundled-inputs.js";
import { isRetryableTaskError, seedForJob, TaskSpecError, taskRunRequestOf } from "./task-runner.js";

function spec(overrides: Partial<JobSpecOut> = {}): JobSpecOut {
  return {
    kind: "JOB_KIND_SYNTHESIS",
    input: { bundledUri: "vega:penguins.json", source: "bundledUri" },
    federated: null,
    schemaJson: "",
    rows: 500,
    model: "",
    conditions: [],
    scoring: { enabled: true, privacy: false, holdoutUri: "", targetColumn: "species" },
    resources: null,
    modelOptionsJson: "",
    maxAttempts: 0,
    displayName: "",
    outputFormat: "",
    ...overrides,
  };
}

const ids = { jobId: "job-1", taskId: "job-1/1" };
const paths = { inputPath: "/in.json", outputDir: "/out", holdoutPath: undefined };

describe("taskRunRequestOf", () => {
  it("fills defaults: CSV, the copula, a seed derived from the job id (same on every attempt)", () => {
    const request = taskRunRequestOf(ids, spec(), paths);
    expect(request).toMatchObject({ kind: "synthesis", rows: 500, outputFormat: "csv", model: "gaussian_copula", where: undefined, schemaJson: undefined });
    expect(request.scoring).toEqual({ enabled: true, privacy: false, holdoutPath: undefined, targetColumn: "species" });
    expect(request.seed).toBe(seedForJob("job-1"));
    expect(seedForJob("job-1")).not.toBe(seedForJob("job-2"));
    expect(Number.isSafeInteger(seedForJob("job-1"))).toBe(true);
    expect(taskRunRequestOf(ids, spec({ seed: 42 }), paths).seed).toBe(42);
  });

  it("turns one condition group into --where syntax, quoting values with separators", () => {
    const request = taskRunRequestOf(ids, spec({ conditions: [{ columnValues: { sex: "FEMALE", island: "Biscoe, North" }, rows: 500, where: "" }] }), paths);
    expect(request.where).toBe('sex=FEMALE,island="Biscoe, North"');
    // The condition's own --where text is ANDed with the equality terms.
    const ranged = taskRunRequestOf(ids, spec({ conditions: [{ columnValues: { sex: "FEMALE" }, rows: 500, where: '"Body Mass (g)">4500' }] }), paths);
    expect(ranged.where).toBe('sex=FEMALE,"Body Mass (g)">4500');
    expect(taskRunRequestOf(ids, spec({ conditions: [{ columnValues: {}, rows: 500, where: "age<=30" }] }), paths).where).toBe("age<=30");
  });

  it("refuses what this node cannot run, as non-retryable errors", () => {
    expect(() => taskRunRequestOf(ids, spec({ kind: "JOB_KIND_UNSPECIFIED" }), paths)).toThrow(TaskSpecError);
    expect(() => taskRunRequestOf(ids, spec({ outputFormat: "xlsx" }), paths)).toThrow(/csv or parquet/);
    expect(() => taskRunRequestOf(ids, spec({ modelOptionsJson: "[1]" }), paths)).toThrow(/JSON object/);
    const twoGroups = [
      { columnValues: { sex: "MALE" }, rows: 1, where: "" },
      { columnValues: { sex: "FEMALE" }, rows: 1, where: "" },
    ];
    expect(() => taskRunRequestOf(ids, spec({ conditions: twoGroups }), paths)).toThrow(/one group per job/);
    try {
      taskRunRequestOf(ids, spec({ outputFormat: "xlsx" }), paths);
    } catch (error) {
      expect(isRetryableTaskError(error)).toBe(false);
    }
    expect(isRetryableTaskError(new Error("disk full"))).toBe(true);
  });
});

describe("resolveBundledUri", () => {
  it("finds vega-datasets files and the Adult fixtures in this installation", () => {
    expect(resolveBundledUri("vega:penguins.json")).toMatch(/node_modules\/vega-datasets\/data\/penguins\.json$/);
    expect(resolveBundledUri("fixture:adult")).toMatch(/fixtures\/adult\/adult\.csv$/);
  });

  it("refuses paths outside the bundled folders and unknown names", () => {
    for (const uri of ["vega:../../package.json", "vega:/etc/passwd", "file:/etc/passwd", "fixture:secrets", "penguins.json"]) {
      expect(() => resolveBundledUri(uri), uri).toThrow(BundledInputError);
    }
    expect(() => resolveBundledUri("vega:no-such-file.csv")).toThrow(/does not exist/);
  });
});
