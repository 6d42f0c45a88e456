/**
 * What every client command (`submit`, `jobs`, `get`, `watch`, `cancel`, `download`) shares:
 * the connection flags (`--coordinator`, `--token`, `--tls-dir`/`--ca`, `--client`,
 * `--insecure`, each also from DATALAB_… variables), gRPC failures turned into one-line
 * messages with distinct exit codes, and the human rendering of a job.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { connectJobService, type JobOut, type JobServiceClient, readClientTls, tlsLayout } from "../proto/index.js";
import { CliError } from "./cli-error.js";
import { percentText, scoreText } from "./number-text.js";
import type { FlagSpec } from "./parse-flags.js";

/** Flags every client command accepts. */
export const connectionFlags = {
  coordinator: { type: "string" },
  token: { type: "string" },
  client: { type: "string" },
  "tls-dir": { type: "string" },
  ca: { type: "string" },
  insecure: { type: "boolean" },
  json: { type: "boolean" },
} as const satisfies FlagSpec;

export const connectionUsage = `connection (flag, or variable):
  --coordinator host:port   DATALAB_COORDINATOR   coordinator address (default 127.0.0.1:7443)
  --token T                 DATALAB_TOKEN         API bearer token
  --tls-dir DIR             DATALAB_TLS_DIR       folder from \`datalab certs\` (its ca.crt verifies the coordinator)
  --client NAME             DATALAB_CLIENT        read the token from DIR/clients/NAME.token
  --ca FILE                 DATALAB_CA            CA certificate, instead of --tls-dir
  --insecure                DATALAB_INSECURE=1    plaintext to a loopback coordinator (development only)
  --json                                          machine-readable output
exit codes: 0 ok, 1 job failed or other error, 2 bad usage or request, 3 not authenticated or not allowed, 4 not found, 5 coordinator unreachable`;

export interface ConnectionValues {
  coordinator?: string | undefined;
  token?: string | undefined;
  client?: string | undefined;
  "tls-dir"?: string | undefined;
  ca?: string | undefined;
  insecure?: boolean | undefined;
}

export interface Connection {
  client: JobServiceClient;
  address: string;
  close(): void;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Opens a JobService client from flags and environment; CliError naming the setting on bad input. */
export function connect(values: ConnectionValues, env: NodeJS.ProcessEnv = process.env): Connection {
  const address = values.coordinator ?? env["DATALAB_COORDINATOR"] ?? "127.0.0.1:7443";
  const hostMatch = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (!hostMatch || Number(hostMatch[2]) === 0 || Number(hostMatch[2]) > 65535) {
    throw new CliError(`--coordinator (or DATALAB_COORDINATOR) must be host:port, e.g. 127.0.0.1:7443, got "${address}".`);
  }
  const insecure = values.insecure === true || ["1", "true", "yes"].includes((env["DATALAB_INSECURE"] ?? "").toLowerCase());
  const tlsDir = values["tls-dir"] ?? env["DATALAB_TLS_DIR"];
  const clientName = values.client ?? env["DATALAB_CLIENT"];
  let token = values.token ?? env["DATALAB_TOKEN"];
  let caPem: Buffer | undefined;
  try {
    if (token === undefined && clientName !== undefined) {
      if (tlsDir === undefined) throw new CliError("--client needs --tls-dir (or DATALAB_TLS_DIR): the folder whose clients/NAME.token holds the token.");
      token = readClientTls(tlsDir, clientName).token;
    }
    const caPath = values.ca ?? env["DATALAB_CA"] ?? (tlsDir === undefined ? undefined : tlsLayout(tlsDir).caCert);
    if (!insecure) {
      if (caPath === undefined)
        throw new CliError(
          "no CA to verify the coordinator: pass --tls-dir DIR (from `datalab certs`) or --ca FILE, or --insecure for a loopback development coordinator.",
        );
      caPem = readFileSync(caPath);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${error instanceof Error ? error.message : String(error)}`.split("\n")[0]!, { cause: error });
  }
  if (token === undefined || token === "") {
    throw new CliError("no API token: pass --token, set DATALAB_TOKEN, or use --tls-dir DIR --client NAME (tokens from `datalab certs --clients NAME`).");
  }
  if (insecure && !isLoopback(hostMatch[1]!)) {
    throw new CliError(`--insecure is only allowed for a loopback coordinator (127.0.0.1, ::1, localhost), not "${hostMatch[1]}"; use --tls-dir or --ca.`);
  }
  const options: { address: string; token: string; caPem?: Buffer; serverNameOverride?: string } = { address, token };
  if (caPem !== undefined) options.caPem = caPem;
  const serverName = loopbackServerName(address);
  if (caPem !== undefined && serverName !== undefined) options.serverNameOverride = serverName;
  const client = connectJobService(options);
  return { client, address, close: () => client.close() };
}

/**
 * "localhost" for a loopback IP address: TLS server-name indication cannot carry an IP (Node
 * warns, DEP0123), and `datalab certs` names the development server "localhost" as well.
 */
export function loopbackServerName(address: string): string | undefined {
  return /^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/.test(address) ? "localhost" : undefined;
}

/** The token file a `datalab certs` folder holds for a client (for tests and the demo). */
export function clientTokenPath(tlsDir: string, clientName: string): string {
  return join(tlsDir, "clients", `${clientName}.token`);
}

const statusExitCodes: Partial<Record<number, number>> = {
  [grpc.status.INVALID_ARGUMENT]: 2,
  [grpc.status.FAILED_PRECONDITION]: 2,
  [grpc.status.ALREADY_EXISTS]: 2,
  [grpc.status.OUT_OF_RANGE]: 2,
  [grpc.status.RESOURCE_EXHAUSTED]: 2,
  [grpc.status.UNAUTHENTICATED]: 3,
  [grpc.status.PERMISSION_DENIED]: 3,
  [grpc.status.NOT_FOUND]: 4,
  [grpc.status.UNAVAILABLE]: 5,
  [grpc.status.DEADLINE_EXCEEDED]: 5,
};

/** A gRPC failure as a one-line CliError with the exit code above; other errors pass through. */
export function cliErrorOf(error: unknown, address: string): unknown {
  if (typeof error !== "object" || error === null || typeof (error as { code?: unknown }).code !== "number") return error;
  const code = (error as { code: number }).code;
  const details = String((error as { details?: unknown }).details ?? (error as Error).message).split("\n")[0];
  const name = grpc.status[code] ?? String(code);
  let message = `the coordinator at ${address} answered ${name}: ${details}`;
  if (code === grpc.status.UNAVAILABLE)
    message = `cannot reach the coordinator at ${address} (${details}); check that \`datalab coordinator\` runs there and that --coordinator, --tls-dir/--ca are right.`;
  if (code === grpc.status.DEADLINE_EXCEEDED) message = `the coordinator at ${address} did not answer in time (${details}); try again.`;
  if (code === grpc.status.UNAUTHENTICATED) message = `the coordinator at ${address} did not accept the token (${details}); check --token / DATALAB_TOKEN.`;
  return new CliError(message, { cause: error, exitCode: statusExitCodes[code] ?? 1 });
}

/** Runs a command body against a connection, mapping gRPC errors and closing the channel. */
export async function withConnection<T>(values: ConnectionValues, body: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = connect(values);
  try {
    return await body(connection);
  } catch (error) {
    throw cliErrorOf(error, connection.address);
  } finally {
    connection.close();
  }
}

/** "RUNNING" from "JOB_STATE_RUNNING". */
export function shortState(state: string): string {
  return state.replace(/^JOB_STATE_/, "");
}

function when(unixMs: number): string {
  return unixMs > 0 ? new Date(unixMs).toISOString().replace(".000Z", "Z") : "-";
}

function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  if (count < 1024 ** 2) return `${(count / 1024).toFixed(1)} KiB`;
  if (count < 1024 ** 3) return `${(count / 1024 ** 2).toFixed(1)} MiB`;
  return `${(count / 1024 ** 3).toFixed(2)} GiB`;
}

export function inputLabel(job: JobOut): string {
  const input = job.spec?.input;
  if (input?.source === "bundledUri") return input.bundledUri ?? "";
  if (input?.source === "upload") return input.upload?.name ?? "upload";
  return "-";
}

/** Several lines describing one job for a person. */
export function describeJob(job: JobOut): string {
  const lines = [
    `${job.jobId}  ${shortState(job.state)}${job.spec?.displayName ? `  "${job.spec.displayName}"` : ""}`,
    `  kind ${job.spec?.kind.replace(/^JOB_KIND_/, "").toLowerCase() ?? "-"}, input ${inputLabel(job)}, rows ${job.spec?.rows ?? "-"}, owner ${job.owner}`,
    `  attempt ${job.attempt}/${job.maxAttempts}${job.nodeId ? ` on node ${job.nodeId}` : ""}`,
    `  created ${when(job.createTimeUnixMs)}, started ${when(job.startTimeUnixMs)}, ended ${when(job.endTimeUnixMs)}`,
  ];
  if (job.progress && !job.done && job.progress.phase !== "")
    lines.push(`  progress ${percentText(job.progress.fraction)} ${job.progress.phase}${job.progress.message ? ` (${job.progress.message})` : ""}`);
  if (job.waitingReason) lines.push(`  waiting: ${job.waitingReason}`);
  if (job.errorMessage) lines.push(`  error: ${job.errorMessage}`);
  if (job.cancelReason) lines.push(`  cancelled: ${job.cancelReason}`);
  for (const result of job.results) {
    if (result.file)
      lines.push(
        `  result ${result.kind.replace(/^RESULT_KIND_/, "").toLowerCase()}: ${result.file.name} (${bytes(result.file.sizeBytes)}, sha256 ${result.file.sha256.slice(0, 16)}…)`,
      );
  }
  if (job.summaryJson) lines.push(...summaryLines(job.summaryJson));
  return lines.join("\n");
}

/** The job summary for a person: scores and timings when it has them, else the JSON as sent. */
function summaryLines(summaryJson: string): string[] {
  let summary: { rows?: number; seconds?: { total?: number }; quality?: Record<string, unknown>; warnings?: unknown[] };
  try {
    summary = JSON.parse(summaryJson);
  } catch {
    return [`  summary ${summaryJson}`];
  }
  const lines: string[] = [];
  const quality = summary.quality;
  const score = (key: string) => (typeof quality?.[key] === "number" ? scoreText(quality[key] as number) : undefined);
  if (quality !== undefined) {
    const parts = [
      score("overall") && `overall ${score("overall")}${typeof quality["grade"] === "string" ? ` (${quality["grade"]})` : ""}`,
      score("columnShapes") && `column shapes ${score("columnShapes")}`,
      score("columnPairTrends") && `pair trends ${score("columnPairTrends")}`,
      score("dcrBaselineProtection") && `DCR baseline protection ${score("dcrBaselineProtection")}`,
    ].filter(Boolean);
    if (parts.length > 0) lines.push(`  quality ${parts.join(", ")}`);
    if (typeof quality["verdict"] === "string") lines.push(`  verdict ${quality["verdict"]}`);
  }
  if (typeof summary.seconds?.total === "number")
    lines.push(`  ran ${summary.seconds.total.toFixed(2)} s on the node${summary.rows === undefined ? "" : ` for ${summary.rows} rows`}`);
  if (Array.isArray(summary.warnings) && summary.warnings.length > 0) lines.push(`  ${summary.warnings.length} warning(s); \`--json\` shows them`);
  return lines.length > 0 ? lines : [`  summary ${summaryJson}`];
}
