/**
 * `datalab watch <job-id>` — follows a job through WatchJob (a server stream: the job now, then
 * after every change) until it ends. If the coordinator restarts meanwhile, the watch
 * reconnects with backoff and continues (the stream always starts with the current state, so
 * nothing is missed). Exit code 0 when the job succeeded, 1 when it failed or was cancelled.
 */
import * as grpc from "@grpc/grpc-js";
import { deadlineAfterSeconds, type JobOut, type JobServiceClient, type WatchJobResponseOut } from "../proto/index.js";
import { CliError } from "./cli-error.js";
import { percentText } from "./number-text.js";
import { connectionFlags, connectionUsage, describeJob, shortState, withConnection } from "./job-client.js";
import { parseFlags } from "./parse-flags.js";

export const usage = `usage: datalab watch <job-id> [options]
  Prints the job's state and progress as they change, until it ends.
  --timeout-seconds S    give up after S seconds (default: no limit; exit 5)
${connectionUsage}`;

/** Statuses after which re-opening the stream makes sense (the coordinator restarting). */
const reconnectable = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.INTERNAL, grpc.status.UNKNOWN]);

function progressLine(job: JobOut): string {
  const time = new Date().toISOString().slice(11, 19);
  const progress =
    job.progress && !job.done
      ? ` ${percentText(job.progress.fraction).padStart(4)} ${job.progress.phase}${job.progress.message ? ` ${job.progress.message}` : ""}`
      : "";
  const where = job.nodeId ? ` on ${job.nodeId}` : "";
  const waiting = job.waitingReason ? ` (waiting: ${job.waitingReason})` : "";
  return `${time} ${job.jobId} ${shortState(job.state)}${where}${progress}${waiting}`;
}

/**
 * Follows a job to a terminal state; prints a line per change (or NDJSON with `json`), and
 * returns the final job. Reconnects up to ~1 minute of continuous failure.
 */
export async function followJob(
  client: JobServiceClient,
  jobId: string,
  json: boolean,
  options: { timeoutSeconds?: number; quiet?: boolean } = {},
): Promise<JobOut> {
  const deadline = deadlineAfterSeconds(options.timeoutSeconds ?? 7 * 24 * 3600);
  let lastLine = "";
  let failures = 0;
  for (;;) {
    let last: JobOut | undefined;
    try {
      const stream = client.watchJob({ jobId }, { deadline });
      for await (const message of stream as AsyncIterable<WatchJobResponseOut>) {
        const job = message.job;
        if (!job) continue;
        last = job;
        failures = 0;
        if (!options.quiet) {
          const line = json ? JSON.stringify(job) : progressLine(job);
          // The stream repeats the state after every field change; print only what a person would notice.
          if (line !== lastLine || json) process.stdout.write(`${line}\n`);
          lastLine = line;
        }
        if (job.done) return job;
      }
      if (last?.done) return last;
      throw Object.assign(new Error("the watch stream ended before the job did"), { code: grpc.status.UNAVAILABLE, details: "stream ended early" });
    } catch (error) {
      const code = (error as { code?: number }).code;
      failures += 1;
      if (code === undefined || !reconnectable.has(code) || failures > 30 || Date.now() > deadline.getTime()) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** Math.min(failures, 4), 3_000)));
    }
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "watch",
    argv,
    { ...connectionFlags, "timeout-seconds": { type: "string" } },
    { min: 1, max: 1, names: "one job id" },
  );
  const options: { timeoutSeconds?: number } = {};
  if (values["timeout-seconds"] !== undefined) {
    const seconds = Number(values["timeout-seconds"]);
    if (!(seconds > 0)) throw new CliError(`--timeout-seconds must be a positive number, got "${values["timeout-seconds"]}".`);
    options.timeoutSeconds = seconds;
  }
  return withConnection(values, async ({ client }) => {
    const job = await followJob(client, positionals[0]!, values.json === true, options);
    if (!values.json) process.stdout.write(`${describeJob(job)}\n`);
    return job.state === "JOB_STATE_SUCCEEDED" ? 0 : 1;
  });
}
