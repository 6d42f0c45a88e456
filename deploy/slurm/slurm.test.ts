/**
 * deploy/slurm against a real single-machine Slurm (Debian's slurm-wlm and munge, started by
 * testing/local-slurm.sh as root): `sbatch deploy/slurm/node.sbatch` starts a node agent that
 * registers with a loopback coordinator and runs jobs; `scancel` drains it with no job lost; the
 * job-array example synthesizes one table per array task. Not skipped where Slurm cannot start:
 * the test fails and says why.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startCluster } from "../../service-tests/cluster.js";
import { getJob, isDone, submitJob, synthesisSpec, waitForJob } from "../../service-tests/job-calls.js";
import { datalabBin, eventually, freePort, TestProcesses } from "../../service-tests/process-harness.js";

const here = import.meta.dirname;
const localSlurm = join(here, "testing", "local-slurm.sh");
const processes = new TestProcesses();
let slurmDir = "";
let env: NodeJS.ProcessEnv = {};

function slurm(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${failed.stderr ?? ""}${failed.stdout ?? ""}`);
  }
}

const readLog = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

beforeAll(async () => {
  slurmDir = await processes.tempDir("slurm");
  try {
    execFileSync("bash", [localSlurm, "start", slurmDir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failed = error as { stderr?: string };
    throw new Error(`a local Slurm could not be started, so deploy/slurm cannot be tested: ${failed.stderr ?? String(error)}`);
  }
  env = { ...process.env, SLURM_CONF: join(slurmDir, "slurm.conf") };
}, 60_000);

afterAll(async () => {
  if (slurmDir !== "") execFileSync("bash", [localSlurm, "stop", slurmDir]);
  await processes.cleanup();
});

describe("deploy/slurm on a real Slurm", () => {
  const jobsToCancel: string[] = [];
  afterEach(() => {
    for (const id of jobsToCancel.splice(0)) execFileSync("scancel", [id], { env });
  });

  it("node.sbatch registers a node that runs jobs, and scancel drains it gracefully with no job lost", async () => {
    const nodeId = `${hostname().split(".")[0]}-gpu0`; // SLURMD_NODENAME = `hostname -s` in local-slurm.sh
    // Leases long enough that a loaded 2-core machine never lets one lapse during the drain.
    const cluster = await startCluster(processes, { nodes: [], spareNodes: [nodeId], leaseSeconds: 30 });
    const sdDir = join(cluster.dir, "prometheus-sd");
    mkdirSync(sdDir);
    const metricsPort = await freePort();
    const log = join(cluster.dir, "node.log");
    const variables = {
      DATALAB_COORDINATOR: cluster.address,
      DATALAB_TLS_DIR: cluster.tlsDir,
      DATALAB_BIN: `${process.execPath} ${datalabBin}`,
      DATALAB_GPUS_PER_NODE: "0",
      DATALAB_DEVICE: "cpu",
      DATALAB_METRICS_HOST: "127.0.0.1",
      DATALAB_METRICS_BASE_PORT: String(metricsPort),
      DATALAB_PROMETHEUS_SD_DIR: sdDir,
      DATALAB_LEASE_WAIT_SECONDS: "2",
      DATALAB_SHUTDOWN_GRACE_SECONDS: "20",
      DATALAB_WORK_DIR_ROOT: join(cluster.dir, "work"),
    };
    const exported = ["ALL", ...Object.entries(variables).map(([k, v]) => `${k}=${v}`)].join(",");
    const slurmJob = slurm("sbatch", ["--parsable", `--output=${log}`, `--export=${exported}`, join(here, "node.sbatch")]).split(";")[0]!;
    jobsToCancel.push(slurmJob);

    await eventually("the Slurm-started node to register", async () => (/registered with/.test(readLog(log)) ? true : undefined), 60_000, 250).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\nnode log:\n${readLog(log)}\nsqueue:\n${slurm("squeue", [])}`);
      },
    );
    // Labels from Slurm's variables: the file_sd target and every metric carry hpc_job.
    const target = JSON.parse(readFileSync(join(sdDir, `datalab-node-${slurmJob}-0.json`), "utf8")) as { labels: Record<string, string> }[];
    expect(target[0]?.labels["hpc_job"]).toBe(slurmJob);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`datalab_node_coordinator_connected\\{[^}]*hpc_job="${slurmJob}"[^}]*\\} 1`));

    const client = cluster.jobClient();
    const first = await waitForJob(client, (await submitJob(client, synthesisSpec({ rows: 500 }))).job.jobId, isDone);
    expect(first.state).toBe("JOB_STATE_SUCCEEDED");
    expect(readLog(log)).toContain(`leased ${first.jobId}/`);

    // A job that runs for a few seconds, then scancel while it runs.
    const long = (await submitJob(client, synthesisSpec({ input: "fixture:adult", rows: 400_000, seed: 1 }))).job;
    await waitForJob(client, long.jobId, (job) => job.state === "JOB_STATE_RUNNING" || job.done, 60_000);
    slurm("scancel", [slurmJob]);
    jobsToCancel.length = 0;
    await eventually("the node to drain and exit", async () => (/exited with status \d+/.test(readLog(log)) ? true : undefined), 60_000, 250);
    const nodeLog = readLog(log);
    expect(nodeLog).toMatch(/shutting down: no new tasks/);
    expect(nodeLog).toMatch(`datalab node ${nodeId} exited with status 0`);
    const ended = await getJob(client, long.jobId);
    // Finished within the grace period: succeeded on its first attempt, nothing re-run.
    expect({ state: ended.state, attempt: ended.attempt }).toEqual({ state: "JOB_STATE_SUCCEEDED", attempt: 1 });
    expect(existsSync(join(sdDir, `datalab-node-${slurmJob}-0.json`))).toBe(false);
    await eventually("Slurm to see the job gone", async () => (slurm("squeue", ["-h", "-j", slurmJob]).trim() === "" ? true : undefined), 30_000, 250).catch(
      () => undefined,
    );
  }, 180_000);

  it("synth-array.sbatch synthesizes one table per array task", async () => {
    const dir = await processes.tempDir("slurm-array");
    const vega = join(here, "..", "..", "node_modules", "vega-datasets", "data");
    const list = join(dir, "inputs.txt");
    writeFileSync(list, `${join(vega, "penguins.json")}\n${join(vega, "seattle-weather.csv")}\n`);
    const out = join(dir, "out");
    const exported = [
      "ALL",
      `DATALAB_INPUT_LIST=${list}`,
      `DATALAB_OUT_DIR=${out}`,
      `DATALAB_BIN=${process.execPath} ${datalabBin}`,
      "DATALAB_ROWS=300",
      "DATALAB_DEVICE=cpu",
    ].join(",");
    slurm("sbatch", ["--wait", "--array=0-1", `--output=${join(dir, "synth-%A_%a.log")}`, `--export=${exported}`, join(here, "synth-array.sbatch")]);
    for (const name of ["penguins", "seattle-weather"]) {
      const table = readFileSync(join(out, `${name}.synthetic.csv`), "utf8")
        .trim()
        .split("\n");
      expect(table.length, name).toBe(301);
      expect(JSON.parse(readFileSync(join(out, `${name}.report.json`), "utf8"))).toHaveProperty("quality");
    }
  }, 180_000);
});
