/** `datalab get <job-id>` — shows one of your jobs: state, attempts, progress, why it waits or failed, results. */
import { type GetJobRequest, type GetJobResponseOut, unaryCall } from "../proto/index.js";
import { connectionFlags, connectionUsage, describeJob, withConnection } from "./job-client.js";
import { parseFlags } from "./parse-flags.js";

export const usage = `usage: datalab get <job-id> [options]
  Shows a job: state, attempts, node, progress, waiting reason, error, result files, score summary.
${connectionUsage}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("get", argv, connectionFlags, { min: 1, max: 1, names: "one job id" });
  return withConnection(values, async ({ client }) => {
    const { job } = await unaryCall<GetJobRequest, GetJobResponseOut>(client.getJob.bind(client), { jobId: positionals[0]! });
    process.stdout.write(values.json ? `${JSON.stringify(job)}\n` : `${job ? describeJob(job) : "(no job in the answer)"}\n`);
    return 0;
  });
}
