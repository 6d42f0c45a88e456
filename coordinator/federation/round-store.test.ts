import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JobSpecOut } from "../../proto/index.js";
import { SqliteJobStore } from "../sqlite-job-store.js";
import { type AcceptedUpdate, type FederationProgress, RoundStore } from "./round-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(path?: string) {
  const dir = path ?? mkdtempSync(join(tmpdir(), "datalab-rounds-"));
  if (!path) dirs.push(dir);
  const jobs = new SqliteJobStore(join(dir, "jobs.sqlite"));
  return { dir, jobs, rounds: new RoundStore(jobs.db) };
}

const manifest = (digest: string) => ({ name: "m", mediaType: "", sizeBytes: 4, sha256: digest, chunks: [{ sha256: digest, sizeBytes: 4 }] });
const progress: FederationProgress = {
  roundsCompleted: 0,
  roundsTotal: 3,
  epsilonSpent: 0,
  participantsLastRound: 0,
  stragglersDropped: 0,
  updatesRejected: 0,
  refusals: [],
  clipNorm: 1,
  lastRoundLoss: 0,
  lastRoundDurationSeconds: 0,
  roundInProgress: 1,
  roundRetry: 0,
};
const update = (holderId: string, digest: string): AcceptedUpdate => ({
  taskId: `job-1/r1/${holderId}`,
  jobId: "job-1",
  round: 1,
  retry: 0,
  holderId,
  manifest: manifest(digest),
  exampleCount: 5,
  participantCount: 1,
  unclippedCount: 1,
  localLoss: 0.1,
  receivedTimeMs: 1,
});

describe("RoundStore", () => {
  it("keeps a round's accepted updates across a restart, each once, and drops them when the round commits", () => {
    const first = open();
    first.jobs.submitJob(
      {
        jobId: "job-1",
        owner: "alice",
        idempotencyKey: "k",
        spec: { kind: "JOB_KIND_FEDERATED_TRAINING" } as JobSpecOut,
        specSha256: "s",
        kind: "JOB_KIND_FEDERATED_TRAINING",
        demand: { gpuCount: 0, gpuMemoryBytes: 0, cpuCores: 0, memoryBytes: 0 },
        maxAttempts: 1,
      },
      1,
    );
    first.rounds.createJob(
      {
        jobId: "job-1",
        noiseSecret: "ab",
        shape: { inputDimension: 1, hiddenLayerSizes: [], outputDimension: 1 },
        roundsCompleted: 0,
        model: manifest("m0".padEnd(64, "0")),
        optimizer: undefined,
        progress,
      },
      1,
    );
    expect(first.rounds.addUpdate(update("h2", "b".repeat(64)))).toBe(true);
    expect(first.rounds.addUpdate(update("h1", "a".repeat(64)))).toBe(true);
    expect(first.rounds.addUpdate(update("h1", "a".repeat(64)))).toBe(false); // a retried completion
    expect(first.rounds.unfinishedFederatedJobIds()).toEqual(["job-1"]);
    first.jobs.close();

    const again = open(first.dir);
    expect(again.rounds.updatesOf("job-1", 1, 0).map((u) => u.holderId)).toEqual(["h1", "h2"]);
    expect(again.rounds.referencedDigests().sort()).toEqual(["a".repeat(64), "b".repeat(64), "m0".padEnd(64, "0")].sort());
    again.rounds.commitRound("job-1", 1, manifest("c".repeat(64)), undefined, { ...progress, roundsCompleted: 1, roundInProgress: 0 }, 2);
    expect(again.rounds.updatesOf("job-1", 1, 0)).toEqual([]);
    expect(again.rounds.getJob("job-1")?.roundsCompleted).toBe(1);
    expect(again.rounds.getJob("job-1")?.model.sha256).toBe("c".repeat(64));
    // A round is committed once: a second commit of round 1 is refused.
    expect(() => again.rounds.commitRound("job-1", 1, manifest("d".repeat(64)), undefined, progress, 3)).toThrow(/not the next round/);
    again.jobs.close();
  });

  it("tells which chunks someone else owns, so federation never deletes them", () => {
    const { jobs, rounds } = open();
    jobs.addChunkOwner("client:alice", ["e".repeat(64)], 1);
    expect(rounds.ownedAmong(["e".repeat(64), "f".repeat(64), "e".repeat(64)])).toEqual(["e".repeat(64)]);
    jobs.close();
  });
});
