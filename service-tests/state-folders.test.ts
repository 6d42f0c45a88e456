/**
 * The state folders of real `datalab coordinator` and `datalab node` processes: owner-only data at
 * rest (files 0600, folders 0700, a warning at start when an operator loosened them), one process
 * per folder (a second exits naming the holder's PID; a holder killed with SIGKILL leaves no stale
 * lock), and one agent per node id.
 */
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loosenedPaths, uploadFile } from "../proto/index.js";
import { startCluster } from "./cluster.js";
import { isDone, submitJob, synthesisSpec, waitForJob } from "./job-calls.js";
import { TestProcesses } from "./process-harness.js";

const processes = new TestProcesses();
afterEach(async () => {
  await processes.cleanup();
});

describe("state folders", () => {
  it("keeps the coordinator's data and the node's work folder owner-only, and warns at start about a loosened file", async () => {
    const cluster = await startCluster(processes, { nodes: ["node-a"] });
    const client = cluster.jobClient();
    // An uploaded table (small: stored verbatim inside the job database) run through a node.
    const upload = await uploadFile(client, "node_modules/vega-datasets/data/penguins.json");
    const { job } = await submitJob(client, { ...synthesisSpec({ rows: 50 }), input: { upload: upload.manifest } });
    expect((await waitForJob(client, job.jobId, isDone)).state).toBe("JOB_STATE_SUCCEEDED");
    expect(loosenedPaths(cluster.dataDir).loosened).toEqual([]);
    expect(loosenedPaths(join(cluster.dir, "work-node-a")).loosened).toEqual([]);

    // An operator loosens the job database; the restarted coordinator says so (and still starts).
    await cluster.coordinator!.stop();
    chmodSync(join(cluster.dataDir, "jobs.sqlite"), 0o644);
    const restarted = await cluster.startCoordinator();
    await restarted.waitForLine(/WARNING: --data-dir: file .*jobs\.sqlite is 0644 \(group\/others may read it\); .*chmod 600/);
  });

  it("refuses a second coordinator on the same --data-dir naming the PID that holds it; a holder killed with SIGKILL leaves no stale lock", async () => {
    const cluster = await startCluster(processes, { nodes: [] });
    const first = cluster.coordinator!;
    const second = processes.start("second-coordinator", [
      "coordinator",
      "--listen",
      "127.0.0.1:0",
      "--metrics-listen",
      "none",
      "--data-dir",
      cluster.dataDir,
      "--tls-dir",
      cluster.tlsDir,
    ]);
    const { code } = await second.exited;
    expect(code).not.toBe(0);
    expect(second.lines.join("\n")).toMatch(new RegExp(`--data-dir ${cluster.dataDir} is in use by datalab coordinator \\(PID ${first.child.pid} on `));
    expect(second.lines.some((line) => line.startsWith("listening"))).toBe(false);
    first.kill("SIGKILL");
    await first.exited;
    // The operating system released the lock with the process: a new coordinator takes the folder.
    await cluster.startCoordinator();
  });

  it("refuses a second node agent on the same --work-dir, and a second agent under a node id that is online", async () => {
    const cluster = await startCluster(processes, { nodes: ["node-a"], spareNodes: ["node-b"] });
    const nodeA = cluster.nodes.get("node-a")!;
    const workDir = join(cluster.dir, "work-node-a");
    const sameFolder = processes.start(
      "node-b",
      ["node", "--coordinator", cluster.address, "--tls-dir", cluster.tlsDir, "--node-id", "node-b", "--work-dir", workDir],
      { DATALAB_DEVICE: "cpu" },
    );
    expect((await sameFolder.exited).code).not.toBe(0);
    expect(sameFolder.lines.join("\n")).toMatch(new RegExp(`--work-dir ${workDir} is in use by datalab node node-a \\(PID ${nodeA.child.pid} on `));

    const sameId = processes.start(
      "node-a-again",
      ["node", "--coordinator", cluster.address, "--tls-dir", cluster.tlsDir, "--node-id", "node-a", "--work-dir", join(cluster.dir, "work-2")],
      {
        DATALAB_DEVICE: "cpu",
      },
    );
    expect((await sameId.exited).code).not.toBe(0);
    expect(sameId.lines.join("\n")).toMatch(/another agent is running as node "node-a": ALREADY_EXISTS: node id "node-a" is online: .* last seen [\d.]+ s ago/);
    // The first agent was not disturbed: it still holds its registration.
    expect(nodeA.running).toBe(true);
    expect(nodeA.lines.filter((line) => line.includes("re-registered"))).toEqual([]);
  });
});
