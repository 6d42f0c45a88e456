/** `datalab cancel <job-id> [--reason text]` — cancels one of your jobs; a node running it stops at its next report. */
import { type CancelJobRequest, type CancelJobResponseOut, unaryCall } from "../proto/index.js";
import { connectionFlags, connectionUsage, describeJob, withConnection } from "./job-client.js";
import { parseFlags } from "./parse-flags.js";

export const usage = `usage: datalab cancel <job-id> [options]
  Cancels a job that has not ended (a finished job cannot be cancelled: exit 2).
  --reason TEXT      stored on the job
${connectionUsage}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("cancel", argv, { ...connectionFlags, reason: { type: "string" } }, { min: 1, max: 1, names: "one job id" });
  return withConnection(values, async ({ client }) => {
    const { job } = await unaryCall<CancelJobRequest, CancelJobResponseOut>(client.cancelJob.bind(client), {
      jobId: positionals[0]!,
      reason: values.reason ?? "cancelled with datalab cancel",
    });
    process.stdout.write(values.json ? `${JSON.stringify(job)}\n` : `${job ? describeJob(job) : "cancelled"}\n`);
    return 0;
  });
}
