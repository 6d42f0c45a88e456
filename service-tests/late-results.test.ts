/**
 * The sequence of issue 10, item 6, with real processes: a node finishes a task while the
 * coordinator is down (killed with SIGKILL); its reconnect backoff keeps it away while the lease
 * runs out, so the restarted coordinator re-queues the job; the node comes back with the result.
 * It must be accepted (the job succeeds on its first attempt) and the job must not run again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startCluster } from "./cluster.js";
import { isDone, submitJob, synthesisSpec, waitForJob } from "./job-calls.js";
import { TestProcesses } from "./process-harness.js";

const processes = new TestProcesses();
afterEach(async () => {
  await processes.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("late results", () => {
  it("a result finished while the coordinator was down, reported after its lease was re-queued, is accepted and the job does not run again", async () => {
    const cluster = await startCluster(processes, { nodes: ["node-a"], leaseSeconds: 4, heartbeatIntervalSeconds: 1 });
    const client = cluster.jobClient();
    const nodeA = cluster.nodes.get("node-a")!;
    // Rows that keep the node busy for a few seconds (as in process-failures.test.ts).
    const { job } = await submitJob(client, synthesisSpec({ rows: 400_000 }));
    // Task ids are "<job id>/<lease id>".
    await nodeA.waitForLine(new RegExp(`leased ${job.jobId}/`), 30_000);
    cluster.coordinator!.kill("SIGKILL");
    await cluster.coordinator!.exited;
    // The task finishes with nobody to tell; the outcome waits in the spool.
    await nodeA.waitForLine(new RegExp(`could not report ${job.jobId}/\\w+ yet`), 90_000);
    // Down long enough for the lease (4 s) to run out and the node's backoff to grow.
    await sleep(6_000);
    await cluster.startCoordinator();
    const done = await waitForJob(client, job.jobId, isDone, 60_000);
    expect(done.state).toBe("JOB_STATE_SUCCEEDED");
    expect(done.attempt).toBe(1);
    // The node logs the acknowledgement (in batches every 50 ms) once the answer is back.
    await nodeA.waitForLine(new RegExp(`reported ${job.jobId}/\\w+: succeeded`), 10_000);
    expect(nodeA.lines.some((line) => line.includes(`coordinator refused the outcome of ${job.jobId}`))).toBe(false);
    // Give a second lease a chance to show up: there must be none.
    await sleep(2_000);
    expect(nodeA.lines.filter((line) => line.includes(`leased ${job.jobId}/`))).toHaveLength(1);
  }, 240_000);
});
