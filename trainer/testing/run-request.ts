/** Test helper (trainer/*.test.ts only): a complete TaskRunRequest with the fields a test cares about overridden. */
import type { TaskRunRequest } from "../task-runner.js";

export function runRequest(overrides: Partial<TaskRunRequest> = {}): TaskRunRequest {
  return {
    jobId: "job",
    taskId: "job/1",
    kind: "synthesis",
    inputPath: "",
    outputDir: "",
    rows: 100,
    seed: 1,
    where: undefined,
    schemaJson: undefined,
    outputFormat: "csv",
    model: "gaussian_copula",
    modelOptions: {},
    scoring: { enabled: false, privacy: false, holdoutPath: undefined, targetColumn: undefined },
    ...overrides,
  };
}
