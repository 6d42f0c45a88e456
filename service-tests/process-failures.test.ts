/**
 * Processes that die: a node killed with SIGKILL mid-task (its lease expires and the task is
 * re-leased to the other node), the coordinator killed with SIGKILL while jobs run and started
 * again on the same data (every job still there, finished results intact, nothing completed
 * twice), the same with many small jobs on nodes that run several at once and batch their
 * completions, and a node stopped with SIGTERM (stops leasing, finishes its task, exits 0).
 * Each test builds its own cluster and kills every process it started (afterEach).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { downloadFile, type JobOut, type JobServiceClient } from "../proto/index.js";
import { startCluster } from "./cluster.js";
import { getJob, isDone, listAllJobs, submitJob, synthesisSpec, waitForJob } from "./job-calls.js";
import { eventually, TestProcesses } from "./process-harness.js";

const processes = new TestProcesses();
afterEach(async () => {
  await processes.cleanup();
});

/** Rows that keep a node busy for a few seconds on this machine (sampling + CSV writing). */
const busyRows = 400_000;

async function tableSha256(client: JobServiceClient, job: JobOut, dir: string): Promise<string> {
  const path = `${dir}/${job.jobId}.csv`;
  await downloadFile(
    (startChunkIndex, deadline) => client.downloadResult({ jobId: job.jobId, kind: "RESULT_KIND_TABLE", startChunkIndex }, { deadline }),
    path,
  );
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

/** How many times nodes reported a successful completion of `jobId` that the coordinator accepted. */
function acceptedCompletions(lines: string[], jobId: string): number {
  return lines.filter((line) => line.includes(`reported ${jobId}/`) && line.includes(": succeeded")).length;
}

describe("process failures", () => {
  it("a node killed mid-task: the lease expires and the other node runs the job to the end", async () => {
    const cluster = await startCluster(processes, { nodes: ["node-a"], spareNodes: ["node-b"], leaseSeconds: 2, heartbeatIntervalSeconds: 1 });
    const client = cluster.jobClient();
    const nodeA = cluster.nodes.get("node-a")!;
    const { job } = await submitJob(client, synthesisSpec({ rows: busyRows, seed: 5 }));
    await nodeA.waitForLine(new RegExp(`leased ${job.jobId}/\\S+ \\(synthesis, attempt 1\\)`));
    nodeA.kill("SIGKILL");
    await nodeA.exited;
    // Only now does a second node exist, so the retry can only happen there.
    const nodeB = await cluster.startNode("node-b");
    const done = await waitForJob(client, job.jobId, isDone, 90_000);
    expect(done.state).toBe("JOB_STATE_SUCCEEDED");
    expect(done.attempt).toBe(2);
    expect(nodeB.lines.some((line) => line.includes(`leased ${job.jobId}/`) && line.includes("attempt 2)"))).toBe(true);
    expect(acceptedCompletions(nodeA.lines, job.jobId)).toBe(0);
  }, 120_000);

  it("the coordinator killed with SIGKILL and restarted: every job is there, results intact, nothing completed twice", async () => {
    const cluster = await startCluster(processes, { nodes: ["node-a", "node-b"], leaseSeconds: 3, heartbeatIntervalSeconds: 1 });
    let client = cluster.jobClient();
    const quick = await submitJob(client, synthesisSpec({ rows: 100, seed: 1 }), "quick");
    const quickDone = await waitForJob(client, quick.job.jobId, isDone);
    expect(quickDone.state).toBe("JOB_STATE_SUCCEEDED");
    const dir = await processes.tempDir("restart");
    const quickSha = await tableSha256(client, quickDone, dir);

    const slow: string[] = [];
    for (let i = 0; i < 4; i++) slow.push((await submitJob(client, synthesisSpec({ rows: busyRows, seed: 10 + i }), `slow-${i}`)).job.jobId);
    // Wait until both nodes are in the middle of a task, then pull the plug.
    await eventually("two running jobs", async () => {
      const states = await Promise.all(slow.map(async (id) => (await getJob(client, id)).state));
      return states.filter((s) => s === "JOB_STATE_RUNNING" || s === "JOB_STATE_LEASED").length >= 2 ? true : undefined;
    });
    const linesBeforeCrash = new Map([...cluster.nodes].map(([id, node]) => [id, node.lines.length]));
    cluster.coordinator!.kill("SIGKILL");
    await cluster.coordinator!.exited;
    cluster.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await cluster.startCoordinator();
    client = cluster.jobClient();

    // A retried submit after the restart still finds the old job.
    const retried = await submitJob(client, synthesisSpec({ rows: busyRows, seed: 10 }), "slow-0");
    expect(retried.created).toBe(false);
    expect(retried.job.jobId).toBe(slow[0]);

    const finished = await Promise.all(slow.map((id) => waitForJob(client, id, isDone, 120_000)));
    for (const job of finished) expect(job.state, job.errorMessage).toBe("JOB_STATE_SUCCEEDED");
    const all = await listAllJobs(client);
    expect(all.map((j) => j.jobId).sort()).toEqual([quick.job.jobId, ...slow].sort());
    // The result finished before the crash is byte-identical after it.
    expect(await tableSha256(client, await getJob(client, quick.job.jobId), dir)).toBe(quickSha);
    // Exactly one accepted completion per job across both nodes (nodes write their log in 50 ms
    // batches, after CompleteTask's answer: the last lines may arrive just after the job is done).
    const nodeLines = () => [...cluster.nodes.values()].flatMap((node) => node.lines);
    await eventually(
      "a completion line for every job",
      async () => ([quick.job.jobId, ...slow].every((id) => acceptedCompletions(nodeLines(), id) > 0) ? true : undefined),
      5_000,
    );
    for (const id of [quick.job.jobId, ...slow]) expect(acceptedCompletions(nodeLines(), id), id).toBe(1);
    // Both nodes found the restarted coordinator again. A node that missed one heartbeat keeps its
    // session (the restarted coordinator restores online nodes), so re-registering is not required:
    // any answer from the new coordinator (registration, a lease, an acknowledged or refused
    // report) shows the node reached it.
    const reachedNewCoordinator = /re-registered|registered with|leased |reported |coordinator refused/;
    await eventually(
      "both nodes talking to the restarted coordinator",
      async () =>
        [...cluster.nodes].every(([id, node]) => node.lines.slice(linesBeforeCrash.get(id) ?? 0).some((line) => reachedNewCoordinator.test(line)))
          ? true
          : undefined,
      20_000,
    );
  }, 180_000);

  it("many small jobs on nodes running several at once (batched completions), the coordinator killed mid-stream: each job completed by exactly one attempt", async () => {
    const cluster = await startCluster(processes, {
      nodes: ["node-a", "node-b"],
      leaseSeconds: 3,
      heartbeatIntervalSeconds: 1,
      nodeArgs: ["--max-tasks", "4", "--cpu-cores", "4"],
    });
    let client = cluster.jobClient();
    const total = 120;
    const ids: string[] = [];
    for (let i = 0; i < total; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, k) => submitJob(client, synthesisSpec({ rows: 30, seed: i + k }), `small-${i + k}`)));
      ids.push(...batch.map((submitted) => submitted.job.jobId));
    }
    const succeeded = async () => (await listAllJobs(client)).filter((job) => job.state === "JOB_STATE_SUCCEEDED").length;
    await eventually("a third of the jobs done", async () => ((await succeeded()) >= total / 3 ? true : undefined), 60_000);
    cluster.coordinator!.kill("SIGKILL");
    await cluster.coordinator!.exited;
    cluster.close();
    await cluster.startCoordinator();
    client = cluster.jobClient();
    const finished = await Promise.all(ids.map((id) => waitForJob(client, id, isDone, 120_000)));
    for (const job of finished) expect(job.state, job.errorMessage).toBe("JOB_STATE_SUCCEEDED");
    expect((await listAllJobs(client)).map((job) => job.jobId).sort()).toEqual([...ids].sort());
    // The restarted coordinator got batches (CompleteTasks) as well as single completions.
    const metrics = await (await fetch(cluster.metricsUrl)).text();
    expect(Number(/datalab_grpc_server_handled_total\{[^}]*method="CompleteTasks"[^}]*code="OK"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);
    // Per job, every accepted completion a node logged is of one lease: a completion re-sent
    // after the crash repeats that lease's answer, and no second attempt ever completed it.
    const nodeLines = () => [...cluster.nodes.values()].flatMap((node) => node.lines);
    const leasesCompleting = (id: string) => {
      const leases = new Set<string>();
      for (const line of nodeLines()) {
        const match = /reported (job-[^/\s]+)\/(\S+): succeeded/.exec(line);
        if (match?.[1] === id) leases.add(match[2]!);
      }
      return leases;
    };
    await eventually("a completion line for every job", async () => (ids.every((id) => leasesCompleting(id).size > 0) ? true : undefined), 5_000);
    for (const id of ids) expect(leasesCompleting(id).size, id).toBe(1);
  }, 240_000);

  it("SIGTERM on a node: it stops leasing, finishes its task, deregisters and exits 0", async () => {
    const cluster = await startCluster(processes, { nodes: ["node-a"], leaseSeconds: 3, heartbeatIntervalSeconds: 1 });
    const client = cluster.jobClient();
    const node = cluster.nodes.get("node-a")!;
    const { job } = await submitJob(client, synthesisSpec({ rows: 100_000, seed: 9 }));
    await node.waitForLine(new RegExp(`leased ${job.jobId}/\\S+ \\(synthesis, attempt 1\\)`));
    node.kill("SIGTERM");
    const { code } = await node.exited;
    expect(code).toBe(0);
    expect(node.lines.some((line) => line.includes("deregistered"))).toBe(true);
    const after = await getJob(client, job.jobId);
    // Finished within the grace period: succeeded on its first attempt.
    expect(after.state).toBe("JOB_STATE_SUCCEEDED");
    expect(after.attempt).toBe(1);
  }, 120_000);
});
