/**
 * `datalab demo` — the whole service on one machine in one command: a local CA and certificates,
 * a coordinator and two node agents on loopback with mutual TLS (child processes), synthesis jobs
 * on real tables (penguins, Seattle weather, Adult census), followed live, results downloaded and
 * verified, the scores from each job's report in a summary table; then everything is shut down
 * (SIGTERM, then SIGKILL for stragglers), also on Ctrl-C, so no process outlives the demo.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  connectJobService,
  type JobOut,
  type JobServiceClient,
  type JobSpec,
  readClientTls,
  type SubmitJobRequest,
  type SubmitJobResponseOut,
  unaryCall,
} from "../proto/index.js";
import { installationRoot } from "../trainer/index.js";
import { CliError } from "./cli-error.js";
import { scoreText } from "./number-text.js";
import { type DownloadedFile, downloadResults } from "./download.js";
import { shortState } from "./job-client.js";
import { parseFlags } from "./parse-flags.js";
import { followJob } from "./watch.js";
import { runFederatedDemo } from "./demo-federated.js";

export const usage = `usage: datalab demo [--out DIR] [--no-adult] [--json] [--federated]
  Starts a coordinator and two node agents on 127.0.0.1 with mutual TLS, submits synthesis jobs
  on real tables (vega penguins and seattle-weather, and the Adult census table), follows them,
  downloads and verifies the results, prints their scores, and shuts everything down.
  --out DIR     where certificates, the job database and the results go (default: a new temp folder)
  --no-adult    skip the Adult job (the slowest: 32,561 rows, scored)
  --json        print the summary as JSON
  --federated   instead: a coordinator and three holder sidecars on slices of Adult split by
                relationship; FedAvg and DP-FedAvg (ε ≤ 3), test accuracy vs pooled, ε, round times`;

interface DemoJob {
  label: string;
  spec: JobSpec;
}

function demoJobs(includeAdult: boolean): DemoJob[] {
  const scored = { enabled: true, privacy: false, holdoutUri: "", targetColumn: "" };
  const base = {
    kind: "JOB_KIND_SYNTHESIS" as const,
    model: "gaussian_copula",
    outputFormat: "csv",
    resources: { gpuCount: 0, gpuMemoryBytes: 0, cpuCores: 1, memoryBytes: 0 },
  };
  const jobs: DemoJob[] = [
    { label: "penguins", spec: { ...base, input: { bundledUri: "vega:penguins.json" }, rows: 2000, seed: 1, scoring: scored, displayName: "demo: penguins" } },
    {
      label: "seattle-weather",
      spec: { ...base, input: { bundledUri: "vega:seattle-weather.csv" }, rows: 1461, seed: 2, scoring: scored, displayName: "demo: seattle-weather" },
    },
  ];
  if (includeAdult)
    jobs.push({
      label: "adult",
      spec: { ...base, input: { bundledUri: "fixture:adult" }, rows: 32_561, seed: 3, scoring: scored, displayName: "demo: adult" },
    });
  return jobs;
}

/** Child processes of the demo, each with its output prefixed and kept for error messages. */
export class Children {
  readonly #children: Array<{ name: string; child: ChildProcess; lines: string[] }> = [];
  readonly #bin = join(installationRoot(), "bin", "datalab.js");

  start(
    name: string,
    args: string[],
    echo: boolean,
  ): { child: ChildProcess; lines: string[]; waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpExecArray> } {
    const child = spawn(process.execPath, [this.#bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } });
    const lines: string[] = [];
    const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
    for (const stream of [child.stdout, child.stderr]) {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (text: string) => {
        pending += text;
        for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          lines.push(line);
          if (echo && line.trim() !== "") process.stderr.write(`  [${name}] ${line.replace(/^\S+Z node \S+: /, "")}\n`);
          for (const waiter of waiters.splice(0)) {
            const match = waiter.pattern.exec(line);
            if (match) waiter.resolve(match);
            else waiters.push(waiter);
          }
        }
      });
    }
    this.#children.push({ name, child, lines });
    const waitFor = (pattern: RegExp, timeoutMs: number) =>
      new Promise<RegExpExecArray>((resolveMatch, reject) => {
        const timer = setTimeout(
          () => reject(new CliError(`${name} did not start within ${timeoutMs / 1000} s; its output:\n${lines.slice(-10).join("\n")}`, { exitCode: 1 })),
          timeoutMs,
        );
        child.once("exit", (code) => {
          clearTimeout(timer);
          reject(
            new CliError(
              `${name} exited with code ${code} while starting: ${lines.filter((l) => l.includes("datalab")).at(-1) ?? lines.at(-1) ?? "no output"}`,
              { exitCode: 1 },
            ),
          );
        });
        waiters.push({
          pattern,
          resolve: (match) => {
            clearTimeout(timer);
            resolveMatch(match);
          },
        });
      });
    return { child, lines, waitFor };
  }

  /**
   * SIGTERM to the given children (all when omitted), SIGKILL after `graceMs`; resolves when all
   * are gone. `urgent` sends a second SIGTERM, which makes a node hand its task back at once.
   */
  async stop(names?: string[], graceMs = 10_000, urgent = false): Promise<void> {
    const targets = this.#children.filter((c) => (names === undefined || names.includes(c.name)) && c.child.exitCode === null && c.child.signalCode === null);
    await Promise.all(
      targets.map(
        ({ child }) =>
          new Promise<void>((resolveExit) => {
            const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
            child.once("exit", () => {
              clearTimeout(timer);
              resolveExit();
            });
            child.kill("SIGTERM");
            if (urgent) setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGTERM"), 100).unref();
          }),
      ),
    );
  }

  killAllNow(): void {
    for (const { child } of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** Numeric scores from a job's summary (its `quality` object), flattened to "name value". */
export function scoresOf(summaryJson: string): Record<string, number> {
  const scores: Record<string, number> = {};
  let summary: unknown;
  try {
    summary = JSON.parse(summaryJson);
  } catch {
    return scores;
  }
  const quality = (summary as { quality?: unknown } | null)?.quality;
  const walk = (value: unknown, path: string, depth: number) => {
    if (typeof value === "number" && Number.isFinite(value)) scores[path] = value;
    else if (value !== null && typeof value === "object" && !Array.isArray(value) && depth < 2) {
      for (const [key, inner] of Object.entries(value)) walk(inner, path === "" ? key : `${path}.${key}`, depth + 1);
    }
  };
  walk(quality, "", 0);
  return scores;
}

async function runDemo(outDir: string, includeAdult: boolean, json: boolean, children: Children): Promise<number> {
  const say = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const tlsDir = join(outDir, "tls");
  say(`datalab demo: working in ${outDir}`);
  const certs = children.start("certs", ["certs", "--out", tlsDir, "--nodes", "demo-node-1,demo-node-2", "--clients", "demo"], false);
  const certsCode = await new Promise<number | null>((resolveExit) => certs.child.once("exit", resolveExit));
  if (certsCode !== 0) throw new CliError(`datalab certs failed: ${certs.lines.at(-1) ?? "no output"}`, { exitCode: 1 });
  say("1. created a local CA, a server certificate, two node certificates and a client token");

  const coordinator = children.start(
    "coordinator",
    ["coordinator", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--data-dir", join(outDir, "coordinator"), "--tls-dir", tlsDir],
    false,
  );
  const ready = await coordinator.waitFor(/^listening (\S+:\d+) metrics (\S+)/, 60_000);
  const address = ready[1]!;
  const metricsAddress = ready[2]!;
  say(`2. coordinator listening on ${address} (mutual TLS), metrics on http://${ready[2]}/metrics`);

  const nodeIds = ["demo-node-1", "demo-node-2"];
  const nodeLines = new Map<string, string[]>();
  await Promise.all(
    nodeIds.map((nodeId) => {
      const node = children.start(
        nodeId,
        [
          "node",
          "--coordinator",
          address,
          "--tls-dir",
          tlsDir,
          "--node-id",
          nodeId,
          "--work-dir",
          join(outDir, nodeId),
          "--metrics-listen",
          "127.0.0.1:0",
          "--shutdown-grace-seconds",
          "5",
        ],
        !json,
      );
      nodeLines.set(nodeId, node.lines);
      return node.waitFor(/registered with/, 60_000);
    }),
  );
  say(`3. two node agents registered (${nodeIds.join(", ")})`);

  const tls = readClientTls(tlsDir, "demo");
  const client: JobServiceClient = connectJobService({ address, token: tls.token, caPem: tls.caPem, serverNameOverride: "localhost" });
  try {
    const jobs = demoJobs(includeAdult);
    const submitted: Array<{ label: string; job: JobOut }> = [];
    for (const { label, spec } of jobs) {
      const response = await unaryCall<SubmitJobRequest, SubmitJobResponseOut>(client.submitJob.bind(client), { idempotencyKey: `demo-${label}`, spec });
      submitted.push({ label, job: response.job! });
    }
    say(`4. submitted ${submitted.length} synthesis jobs: ${submitted.map((s) => `${s.label} (${s.job.jobId})`).join(", ")}`);
    const started = performance.now();
    const finished = await Promise.all(
      submitted.map(async ({ label, job }) => ({ label, job: await followJob(client, job.jobId, false, { quiet: true, timeoutSeconds: 900 }) })),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    say(`5. all jobs ended after ${wallSeconds.toFixed(1)} s; downloading results`);

    const rows: Array<{
      label: string;
      jobId: string;
      state: string;
      node: string;
      rows: number;
      seconds: number;
      files: DownloadedFile[];
      scores: Record<string, number>;
      error: string;
    }> = [];
    for (const { label, job } of finished) {
      let files: DownloadedFile[] = [];
      if (job.state === "JOB_STATE_SUCCEEDED") files = await downloadResults(client, job.jobId, join(outDir, "results", label));
      // Which node's report the coordinator accepted (the job itself forgets its node when done).
      const node = nodeIds.find((id) => nodeLines.get(id)?.some((line) => line.includes(`reported ${job.jobId}/`))) ?? "-";
      rows.push({
        label,
        jobId: job.jobId,
        state: shortState(job.state),
        node,
        rows: Number(job.spec?.rows ?? 0),
        seconds: (job.endTimeUnixMs - job.startTimeUnixMs) / 1000,
        files,
        scores: scoresOf(job.summaryJson),
        error: job.errorMessage,
      });
    }
    const reportScores = await Promise.all(
      rows.map(async (row) => {
        const report = row.files.find((f) => f.kind === "report");
        if (report === undefined) return row.scores;
        try {
          const parsed = JSON.parse(await readFile(report.path, "utf8")) as Record<string, unknown>;
          return { ...scoresOf(JSON.stringify({ quality: parsed["quality"] ?? parsed })), ...row.scores };
        } catch {
          return row.scores;
        }
      }),
    );
    rows.forEach((row, i) => {
      row.scores = reportScores[i]!;
    });
    if (json) {
      process.stdout.write(`${JSON.stringify({ outDir, coordinator: address, wallSeconds, jobs: rows }, null, 2)}\n`);
    } else {
      const scoreNames = [...new Set(rows.flatMap((row) => Object.keys(row.scores)))]
        .filter((name) => /score|shape|trend|quality|overall/i.test(name))
        .slice(0, 4);
      const header = ["table", "state", "node", "rows", "seconds", ...scoreNames, "results"];
      const table = [header];
      for (const row of rows) {
        table.push([
          row.label,
          row.state,
          row.node,
          String(row.rows),
          row.seconds.toFixed(1),
          ...scoreNames.map((name) => (row.scores[name] === undefined ? "-" : scoreText(row.scores[name]))),
          row.files.length > 0 ? row.files.map((f) => f.kind).join("+") : row.error || "-",
        ]);
      }
      const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
      say("");
      for (const line of table) say(`  ${line.map((cell, c) => cell.padEnd(widths[c]!)).join("  ")}`);
      say("");
      say(`results (verified by SHA-256) in ${join(outDir, "results")}`);
      // What an operator's Prometheus would scrape right now.
      try {
        const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
        const shown = metrics
          .split("\n")
          .filter((line) => /^datalab_(jobs\{|nodes_connected |job_duration_seconds_count|job_queue_wait_seconds_sum)/.test(line));
        say(`coordinator metrics (http://${metricsAddress}/metrics):`);
        for (const line of shown) say(`  ${line}`);
      } catch (error) {
        say(`(could not scrape the coordinator's metrics: ${error instanceof Error ? error.message : String(error)})`);
      }
    }
    return rows.every((row) => row.state === "SUCCEEDED") ? 0 : 1;
  } finally {
    client.close();
    say("6. shutting down: nodes first (they finish or hand back their tasks), then the coordinator");
    await children.stop(nodeIds);
    await children.stop(["coordinator"]);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    "demo",
    argv,
    { out: { type: "string" }, "no-adult": { type: "boolean" }, json: { type: "boolean" }, federated: { type: "boolean" } },
    { min: 0, max: 0, names: "no positional arguments" },
  );
  const outDir = values.out === undefined ? await mkdtemp(join(tmpdir(), "datalab-demo-")) : resolve(values.out);
  await mkdir(outDir, { recursive: true });
  const children = new Children();
  // Ctrl-C or a kill: stop the children before this process goes, so none is orphaned.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`datalab demo: ${signal}, stopping the nodes (they hand their tasks back), then the coordinator\n`);
    void children
      .stop(values.federated === true ? ["oem-a", "oem-b", "oem-c"] : ["demo-node-1", "demo-node-2"], 5_000, true)
      .then(() => children.stop(undefined, 3_000))
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const exitGuard = () => children.killAllNow();
  process.once("exit", exitGuard);
  try {
    if (values.federated === true) return await runFederatedDemo(outDir, values.json === true, children);
    return await runDemo(outDir, values["no-adult"] !== true, values.json === true, children);
  } finally {
    await children.stop(undefined, 3_000);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", exitGuard);
  }
}
