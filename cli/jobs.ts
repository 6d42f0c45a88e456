/**
 * `datalab jobs [--state s] [--kind k] [--page-size n] [--page-token t] [--all]` — lists your
 * jobs, newest first, one page at a time (AIP-158): the next page's token is printed at the end,
 * `--all` follows the tokens to the last page.
 */
import { type JobOut, type ListJobsRequest, type ListJobsResponseOut, unaryCall } from "../proto/index.js";
import { CliError } from "./cli-error.js";
import { connectionFlags, connectionUsage, inputLabel, shortState, withConnection } from "./job-client.js";
import { parseCount, parseFlags } from "./parse-flags.js";

export const usage = `usage: datalab jobs [options]
  Lists your jobs, newest first.
  --state S[,S…]     only jobs in these states (queued, leased, running, succeeded, failed, cancelled)
  --kind K           only jobs of this kind (synthesis, sample)
  --page-size N      jobs per page, 1..1000 (default 50)
  --page-token T     the token printed after the previous page
  --all              fetch every page
${connectionUsage}`;

const states = ["queued", "leased", "running", "succeeded", "failed", "cancelled"];
const kinds = ["synthesis", "sample"];

/** The AIP-160-style filter ListJobs takes, from the flags. */
export function filterOf(stateText: string | undefined, kindText: string | undefined): string {
  const clauses: string[] = [];
  if (stateText !== undefined) {
    const wanted = stateText
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== "");
    for (const state of wanted)
      if (!states.includes(state)) throw new CliError(`--state "${state}" is not a job state; use one or more of ${states.join(", ")}.`);
    if (wanted.length === 0) throw new CliError(`--state names no state; use one or more of ${states.join(", ")}.`);
    clauses.push(wanted.length === 1 ? `state = ${wanted[0]!.toUpperCase()}` : `state = (${wanted.map((s) => s.toUpperCase()).join(" OR ")})`);
  }
  if (kindText !== undefined) {
    const kind = kindText.trim().toLowerCase();
    if (!kinds.includes(kind)) throw new CliError(`--kind "${kindText}" is not a job kind; use ${kinds.join(" or ")}.`);
    clauses.push(`kind = ${kind.toUpperCase()}`);
  }
  return clauses.join(" AND ");
}

function age(unixMs: number): string {
  const seconds = Math.max(0, (Date.now() - unixMs) / 1000);
  if (seconds < 120) return `${seconds.toFixed(0)}s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(0)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(0)}h`;
  return `${(seconds / 86_400).toFixed(0)}d`;
}

function table(jobs: JobOut[]): string {
  const rows = [["JOB", "STATE", "KIND", "INPUT", "ROWS", "AGE", "NODE"]];
  for (const job of jobs) {
    rows.push([
      job.jobId,
      shortState(job.state),
      job.spec?.kind.replace(/^JOB_KIND_/, "").toLowerCase() ?? "-",
      inputLabel(job),
      String(job.spec?.rows ?? "-"),
      age(job.createTimeUnixMs),
      job.nodeId || "-",
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    "jobs",
    argv,
    {
      ...connectionFlags,
      state: { type: "string" },
      kind: { type: "string" },
      "page-size": { type: "string" },
      "page-token": { type: "string" },
      all: { type: "boolean" },
    },
    { min: 0, max: 0, names: "no positional arguments" },
  );
  const filter = filterOf(values.state, values.kind);
  const pageSize = parseCount("page-size", values["page-size"], 50, { min: 1, max: 1000 });
  return withConnection(values, async ({ client }) => {
    let pageToken = values["page-token"] ?? "";
    const jobs: JobOut[] = [];
    let totalSize = 0;
    for (;;) {
      const response = await unaryCall<ListJobsRequest, ListJobsResponseOut>(client.listJobs.bind(client), { pageSize, pageToken, filter });
      jobs.push(...response.jobs);
      totalSize = response.totalSize;
      pageToken = response.nextPageToken;
      if (!values.all || pageToken === "") break;
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ jobs, nextPageToken: pageToken, totalSize })}\n`);
      return 0;
    }
    process.stdout.write(jobs.length === 0 ? "no jobs match\n" : `${table(jobs)}\n`);
    process.stdout.write(`${jobs.length} of ${totalSize} job(s)${pageToken ? `; next page: --page-token ${pageToken}` : ""}\n`);
    return 0;
  });
}
