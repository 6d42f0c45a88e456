/**
 * deploy/prometheus and deploy/grafana against the real Prometheus (Debian's `prometheus`
 * package): promtool checks the configuration and the rules and runs the alert unit tests;
 * then a Prometheus server scrapes a loopback coordinator and a node doing real jobs, and every
 * dashboard panel's query must parse and return data through Prometheus' HTTP API.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileFakeNvml } from "../../kernels/testing/fake-nvml.js";
import { startCluster } from "../../service-tests/cluster.js";
import { isDone, submitJob, synthesisSpec, waitForJob } from "../../service-tests/job-calls.js";
import { eventually, freePort, TestProcesses } from "../../service-tests/process-harness.js";
import { requireTool } from "../testing/real-tools.js";

const here = import.meta.dirname;
const rulesFile = join(here, "datalab-rules.yml");
const dashboardFile = join(here, "..", "grafana", "datalab-dashboard.json");

function promtool(...args: string[]): string {
  const tool = requireTool("promtool", "prometheus");
  try {
    return execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(" ")} failed:\n${failed.stdout ?? ""}${failed.stderr ?? ""}`);
  }
}

interface DashboardQuery {
  panel: string;
  expr: string;
}

function dashboardQueries(file: string): DashboardQuery[] {
  const dashboard = JSON.parse(readFileSync(file, "utf8")) as { panels: { title: string; type: string; targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
}

/** Alert names of the rules file, and for each whether the unit tests have a firing and a silent case. */
function alertCoverage(): { alert: string; fires: boolean; silent: boolean }[] {
  const alerts = [...readFileSync(rulesFile, "utf8").matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]!);
  const tests = readFileSync(join(here, "tests", "datalab-rules.test.yml"), "utf8");
  return alerts.map((alert) => {
    const cases = [...tests.matchAll(new RegExp(`alertname: ${alert}\\n\\s*exp_alerts:(.*)\\n(\\s*- exp_labels)?`, "g"))];
    return { alert, fires: cases.some((c) => c[2] !== undefined), silent: cases.some((c) => c[1]!.trim() === "[]") };
  });
}

describe("deploy/prometheus with promtool", () => {
  it("accepts the scrape configuration and the rules", () => {
    expect(promtool("check", "config", "--syntax-only", join(here, "prometheus.yml"))).toMatch(/SUCCESS/);
    expect(promtool("check", "rules", rulesFile)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("passes the alert unit tests, and every alert has a case that fires and one that does not", () => {
    const coverage = alertCoverage();
    expect(coverage.length).toBeGreaterThanOrEqual(6);
    expect(coverage.filter((c) => !c.fires || !c.silent)).toEqual([]);
    expect(promtool("test", "rules", join(here, "tests", "datalab-rules.test.yml"))).toMatch(/SUCCESS/);
  });
});

describe("the Grafana dashboard against a real Prometheus scrape", () => {
  const processes = new TestProcesses();
  let prometheus: ChildProcess | undefined;
  afterEach(async () => {
    prometheus?.kill("SIGKILL");
    prometheus = undefined;
    await processes.cleanup();
  });

  it("returns data for every panel query after a coordinator and a node with GPUs ran jobs", async () => {
    const server = requireTool("prometheus", "prometheus");
    const cluster = await startCluster(processes, { nodes: [], spareNodes: ["node-a"] });
    const dir = cluster.dir;
    // The node reads GPU telemetry through the real NVML binding from a stand-in driver library.
    await cluster.startNode("node-a", [], { DATALAB_NVML_LIBRARY: compileFakeNvml(dir), HOSTNAME: "gpu-test-01" });
    const nodeMetrics = new URL(await cluster.nodeMetricsUrl("node-a"));
    // Targets as Prometheus would find Slurm-started nodes: a file_sd file.
    writeFileSync(join(dir, "nodes.json"), JSON.stringify([{ targets: [nodeMetrics.host], labels: {} }]));
    const port = await freePort();
    writeFileSync(
      join(dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        `rule_files: [${JSON.stringify(rulesFile)}]`,
        "scrape_configs:",
        `  - { job_name: datalab-coordinator, static_configs: [{ targets: [${JSON.stringify(new URL(cluster.metricsUrl).host)}] }] }`,
        `  - { job_name: datalab-node, file_sd_configs: [{ files: [${JSON.stringify(join(dir, "nodes.json"))}] }] }`,
      ].join("\n"),
    );
    const log: string[] = [];
    prometheus = spawn(
      server,
      [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    prometheus.stderr?.on("data", (chunk: Buffer) => log.push(chunk.toString()));
    const api = `http://127.0.0.1:${port}/api/v1`;
    const query = async (expr: string) => {
      const response = await fetch(`${api}/query?query=${encodeURIComponent(expr)}`);
      return (await response.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    };
    await eventually("both targets up", async () => ((await query("sum(up)")).data?.result[0]?.value[1] === "2" ? true : undefined), 30_000, 500).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\nprometheus log:\n${log.join("").slice(-3000)}`);
      },
    );

    const client = cluster.jobClient();
    // Series with labels (job durations by kind and outcome) appear at their first observation; a
    // rate needs increases after Prometheus first saw them, so the jobs are spread over scrapes.
    for (let i = 0; i < 5; i++) {
      const { job } = await submitJob(client, synthesisSpec({ rows: 300, seed: i }));
      await waitForJob(client, job.jobId, isDone);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a few scrapes after the last job

    const queries = dashboardQueries(dashboardFile);
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      // Grafana's $__rate_interval; 1 minute covers the jobs above at a 1 s scrape interval.
      const answer = await query(expr.replaceAll("$__rate_interval", "1m"));
      expect(answer.status, `${panel}: ${expr}: ${answer.error ?? ""}`).toBe("success");
      const values = (answer.data?.result ?? []).map((series) => Number(series.value[1]));
      if (!values.some((value) => Number.isFinite(value))) empty.push(`${panel}: ${expr}`);
    }
    expect(empty, "dashboard queries without data").toEqual([]);
    // The recording rules evaluate on the same data.
    for (const rule of ["datalab:jobs_succeeded:rate5m", "datalab:job_queue_wait_seconds:p99_5m", "datalab:node_gpu_memory_used:ratio"]) {
      expect((await query(rule)).data?.result.length, rule).toBeGreaterThan(0);
    }
    const gpu = await query("datalab_node_gpu_memory_total_bytes");
    expect(gpu.data?.result.map((series) => series.metric["UUID"]).sort()).toEqual([
      "GPU-00000000-aaaa-bbbb-cccc-000000000000",
      "GPU-11111111-aaaa-bbbb-cccc-111111111111",
    ]);
  });
});
