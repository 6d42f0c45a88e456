/**
 * A federated synthesis job keeps its rounds in coordinator memory: after a restart it is failed
 * with a reason, never resumed (its holders already spent their budgets on measurements that are
 * gone), and SubmitJob checks its spec.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { SubmitJobRequestOut } from "../../proto/index.js";
import { ChunkStore } from "../chunk-store.js";
import { Coordinator } from "../coordinator.js";
import { SqliteJobStore } from "../sqlite-job-store.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-synthesis-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = (federated: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({
    idempotencyKey: `k-${Math.random()}`,
    spec: {
      kind: "JOB_KIND_FEDERATED_SYNTHESIS",
      model: "mst",
      rows: 100,
      epsilon: 1,
      input: null,
      conditions: [],
      scoring: null,
      displayName: "",
      maxAttempts: 0,
      outputFormat: "",
      federated,
      ...extra,
    },
  }) as unknown as SubmitJobRequestOut;

const federated = {
  datasetId: "adult",
  targetColumn: "",
  task: "",
  hiddenLayerSizes: [],
  rounds: 0,
  strategy: "",
  noiseMultiplier: 0,
  clipNorm: 0,
  shardsPerHolder: 0,
  minHolders: 2,
  roundDeadlineSeconds: 600,
  purpose: "p",
  holderIds: [],
  delta: 0,
};

describe("federated synthesis on the coordinator", () => {
  test("SubmitJob refuses a broken spec; a job running at a restart is failed with the reason, not resumed", async () => {
    const path = join(dir, "jobs.sqlite");
    const chunks = join(dir, "chunks");
    const store = new SqliteJobStore(path);
    const first = new Coordinator({ store, chunks: new ChunkStore(chunks, 1 << 21) });
    first.start();
    await expect(first.submitJob("alice", request({ ...federated, rounds: 3 }))).rejects.toThrow("federated.rounds applies to FEDERATED_TRAINING jobs only");
    await expect(first.submitJob("alice", request(federated, { input: { bundledUri: "adult" } }))).rejects.toThrow(/input must be unset for a federated job/);
    // No holder is online: the job waits (QUEUED) for min_holders.
    const { job } = await first.submitJob("alice", request(federated));
    const jobId = job.jobId as string;
    expect(first.getJob("alice", jobId).state).toBe("JOB_STATE_QUEUED");
    first.stop();
    store.close();

    const reopened = new SqliteJobStore(path);
    const second = new Coordinator({ store: reopened, chunks: new ChunkStore(chunks, 1 << 21) });
    second.start();
    try {
      for (let i = 0; i < 50 && !second.getJob("alice", jobId).done; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const after = second.getJob("alice", jobId);
      expect(after.state).toBe("JOB_STATE_FAILED");
      expect(after.errorMessage).toMatch(/^the coordinator restarted during this federated synthesis job; its measurements are not kept/);
    } finally {
      second.stop();
      reopened.close();
    }
  });
});
