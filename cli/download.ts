/**
 * `datalab download <job-id> --out dir [--kind table|model|report|report_html|all]` — fetches a
 * succeeded job's result files through DownloadResult (a stream of SHA-256-checked chunks; a
 * broken stream resumes from the next chunk; the file appears only once it verified).
 */
import { rmSync } from "node:fs";
import { basename, join } from "node:path";
import { downloadFile, tlsLayout, type GetJobRequest, type GetJobResponseOut, type JobServiceClient, type ResultKindName, unaryCall } from "../proto/index.js";
import { CliError } from "./cli-error.js";
import { clientTokenPath, connectionFlags, connectionUsage, withConnection } from "./job-client.js";
import { type FlagPaths, refuseOutputsOverInputs } from "./output-flags.js";
import { makeDirectory } from "../tabular/index.js";
import { parseFlags } from "./parse-flags.js";

export const usage = `usage: datalab download <job-id> --out DIR [options]
  Downloads a succeeded job's results into DIR (verified by SHA-256).
  --kind K     table, model, report, report_html, other, or all (default all)
${connectionUsage}`;

const kinds = ["table", "model", "report", "report_html", "other", "all"];

export interface DownloadedFile {
  kind: string;
  path: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Downloads the job's result files of `kind` ("all" for every one) into `outDir`. `inputs` are
 * files of this run (CA, token) that no downloaded file may replace.
 */
export async function downloadResults(
  client: JobServiceClient,
  jobId: string,
  outDir: string,
  kind = "all",
  inputs: FlagPaths = [],
): Promise<DownloadedFile[]> {
  const { job } = await unaryCall<GetJobRequest, GetJobResponseOut>(client.getJob.bind(client), { jobId });
  if (!job) throw new CliError(`job ${jobId} came back empty; try again.`, { exitCode: 1 });
  if (job.state !== "JOB_STATE_SUCCEEDED") {
    throw new CliError(
      `job ${jobId} is ${job.state.replace(/^JOB_STATE_/, "")}; only a SUCCEEDED job has results (follow it with \`datalab watch ${jobId}\`).`,
      { exitCode: 2 },
    );
  }
  const wanted = job.results.filter((result) => kind === "all" || result.kind === `RESULT_KIND_${kind.toUpperCase()}`);
  if (wanted.length === 0)
    throw new CliError(
      `job ${jobId} has no ${kind} result; it has: ${job.results.map((r) => r.kind.replace(/^RESULT_KIND_/, "").toLowerCase()).join(", ") || "none"}.`,
      { exitCode: 4 },
    );
  const targetOf = (result: (typeof wanted)[number]) => join(outDir, basename(result.file?.name ?? "") || `${result.kind.toLowerCase()}.bin`);
  await refuseOutputsOverInputs(
    wanted.map((result) => [`--out (${result.kind.replace(/^RESULT_KIND_/, "").toLowerCase()})`, targetOf(result)] as const),
    inputs,
  );
  makeDirectory(outDir);
  // downloadFile writes `<target>.partial-<pid>` and removes it on its own errors; a signal ends
  // the process without unwinding, so the 'exit' event (process.exit from the signal handler) does.
  const partials = wanted.map((result) => `${targetOf(result)}.partial-${process.pid}`);
  const removePartials = () => {
    for (const partial of partials) rmSync(partial, { force: true });
  };
  process.once("exit", removePartials);
  const files: DownloadedFile[] = [];
  try {
    for (const result of wanted) {
      const path = targetOf(result);
      const manifest = await downloadFile(
        (startChunkIndex, deadline) =>
          client.downloadResult({ jobId, kind: result.kind as ResultKindName, name: result.file?.name ?? "", startChunkIndex }, { deadline }),
        path,
      );
      files.push({ kind: result.kind.replace(/^RESULT_KIND_/, "").toLowerCase(), path, sizeBytes: manifest.sizeBytes, sha256: manifest.sha256 });
    }
  } finally {
    process.off("exit", removePartials);
  }
  return files;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "download",
    argv,
    { ...connectionFlags, out: { type: "string" }, kind: { type: "string" } },
    { min: 1, max: 1, names: "one job id" },
  );
  if (values.out === undefined) throw new CliError("--out DIR is required: the folder to write the result files into.");
  const kind = (values.kind ?? "all").toLowerCase();
  if (!kinds.includes(kind)) throw new CliError(`--kind "${values.kind}" is not a result kind; use ${kinds.join(", ")}.`);
  return withConnection(values, async ({ client }) => {
    const tlsDir = values["tls-dir"] ?? process.env["DATALAB_TLS_DIR"];
    const clientName = values.client ?? process.env["DATALAB_CLIENT"];
    const files = await downloadResults(client, positionals[0]!, values.out!, kind, [
      ["--ca", values.ca ?? process.env["DATALAB_CA"]],
      ["--tls-dir CA", tlsDir === undefined ? undefined : tlsLayout(tlsDir).caCert],
      ["--client token", tlsDir === undefined || clientName === undefined ? undefined : clientTokenPath(tlsDir, clientName)],
    ]);
    if (values.json) process.stdout.write(`${JSON.stringify({ files })}\n`);
    else for (const file of files) process.stdout.write(`${file.kind.padEnd(11)} ${file.path} (${file.sizeBytes} bytes, sha256 ${file.sha256})\n`);
    return 0;
  });
}
