/**
 * The node agent's settings: from flags first, then `DATALAB_…` environment variables, then
 * defaults; validated once at startup so a bad setting stops the agent with a one-line message
 * that names the flag AND the variable, before anything dials out.
 */
import { hostname } from "node:os";
import { resolve } from "node:path";
import { tunables } from "../proto/index.js";

export class NodeConfigError extends Error {
  override readonly name = "NodeConfigError";
}

export interface NodeAgentConfig {
  /** host:port of the coordinator's gRPC endpoint. */
  coordinatorAddress: string;
  /** Folder with ca.pem and this node's certificate and key (see `datalab certs`); undefined only with insecure. */
  tlsDir: string | undefined;
  /** Plaintext to a loopback coordinator (development only). */
  insecure: boolean;
  /** This node's id; with TLS it must match the certificate's name. */
  nodeId: string;
  /** Where inputs, outputs and not-yet-acknowledged results are kept. */
  workDir: string;
  /** host:port for /metrics, or undefined for no metrics endpoint. */
  metricsListen: { host: string; port: number } | undefined;
  /** How long SIGTERM waits for a running task before handing it back. */
  shutdownGraceSeconds: number;
  /** Long-poll length of one LeaseTask call. */
  leaseWaitSeconds: number;
  /** Reconnect backoff bounds. */
  reconnectBaseMs: number;
  reconnectCapMs: number;
  /** CPU cores this node offers (defaults to all). */
  cpuCores: number;
  /** Most bytes of downloaded inputs kept for later tasks (least recently used go first). */
  inputCacheBytes: number;
}

/** The variable that backs each flag. */
export const nodeEnvNames = {
  coordinator: "DATALAB_COORDINATOR",
  "tls-dir": "DATALAB_TLS_DIR",
  insecure: "DATALAB_INSECURE",
  "node-id": "DATALAB_NODE_ID",
  "work-dir": "DATALAB_WORK_DIR",
  "metrics-listen": "DATALAB_METRICS_LISTEN",
  "shutdown-grace-seconds": "DATALAB_SHUTDOWN_GRACE_SECONDS",
  "lease-wait-seconds": "DATALAB_LEASE_WAIT_SECONDS",
  "cpu-cores": "DATALAB_CPU_CORES",
  "input-cache-mib": "DATALAB_INPUT_CACHE_MIB",
} as const;

export type NodeFlagName = keyof typeof nodeEnvNames;
export type NodeFlagValues = Partial<Record<NodeFlagName, string | boolean | undefined>>;

function setting(flag: NodeFlagName): string {
  return `--${flag} (or ${nodeEnvNames[flag]})`;
}

function pick(flags: NodeFlagValues, env: NodeJS.ProcessEnv, flag: NodeFlagName): string | undefined {
  const fromFlag = flags[flag];
  if (typeof fromFlag === "string") return fromFlag;
  if (fromFlag === true) return "true";
  const fromEnv = env[nodeEnvNames[flag]];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}

/** Parses "host:port" (IPv6 as "[::1]:7443"); port 0 only when `allowZeroPort`. */
export function parseHostPort(flag: string, text: string, allowZeroPort: boolean): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535 || (port === 0 && !allowZeroPort)) {
    throw new NodeConfigError(`${flag} must be host:port (e.g. 127.0.0.1:7443), got "${text}".`);
  }
  return { host: (match[1] ?? match[2])!, port };
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parseBoolean(flag: NodeFlagName, text: string | undefined): boolean {
  if (text === undefined) return false;
  const lower = text.toLowerCase();
  if (["1", "true", "yes", "on"].includes(lower)) return true;
  if (["0", "false", "no", "off"].includes(lower)) return false;
  throw new NodeConfigError(`${setting(flag)} must be true or false, got "${text}".`);
}

function parseNumber(flag: NodeFlagName, text: string | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new NodeConfigError(`${setting(flag)} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got "${text}".`);
  }
  return value;
}

/** Node ids become file names and certificate names: keep them to a safe alphabet. */
const nodeIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function resolveNodeConfig(flags: NodeFlagValues, env: NodeJS.ProcessEnv, availableCpuCores: number): NodeAgentConfig {
  const coordinatorText = pick(flags, env, "coordinator");
  if (coordinatorText === undefined) {
    throw new NodeConfigError(`${setting("coordinator")} is required: the coordinator's host:port, e.g. --coordinator 127.0.0.1:7443.`);
  }
  const coordinator = parseHostPort(setting("coordinator"), coordinatorText, false);
  const insecure = parseBoolean("insecure", pick(flags, env, "insecure"));
  const tlsDirText = pick(flags, env, "tls-dir");
  if (insecure && !isLoopbackHost(coordinator.host)) {
    throw new NodeConfigError(
      `${setting("insecure")} is only allowed for a loopback coordinator (127.0.0.1, ::1, localhost), got "${coordinator.host}"; use --tls-dir with a node certificate from \`datalab certs\`.`,
    );
  }
  if (!insecure && tlsDirText === undefined) {
    throw new NodeConfigError(
      `${setting("tls-dir")} is required: a folder with ca.pem and this node's certificate (create one with \`datalab certs --out DIR --nodes NAME\`), or --insecure for a loopback development coordinator.`,
    );
  }
  const nodeId = pick(flags, env, "node-id") ?? hostname().split(".")[0] ?? "node";
  if (!nodeIdPattern.test(nodeId)) {
    throw new NodeConfigError(`${setting("node-id")} must be 1-63 letters, digits, '.', '_' or '-' starting with a letter or digit, got "${nodeId}".`);
  }
  const workDirText = pick(flags, env, "work-dir") ?? `datalab-node-${nodeId}`;
  const metricsText = pick(flags, env, "metrics-listen");
  const cpuCores = parseNumber("cpu-cores", pick(flags, env, "cpu-cores"), availableCpuCores, 1, 4096, true);
  return {
    coordinatorAddress: `${coordinator.host.includes(":") ? `[${coordinator.host}]` : coordinator.host}:${coordinator.port}`,
    tlsDir: tlsDirText === undefined ? undefined : resolve(tlsDirText),
    insecure,
    nodeId,
    workDir: resolve(workDirText),
    metricsListen: metricsText === undefined ? undefined : parseHostPort(setting("metrics-listen"), metricsText, true),
    shutdownGraceSeconds: parseNumber("shutdown-grace-seconds", pick(flags, env, "shutdown-grace-seconds"), 30, 0, 86_400, false),
    leaseWaitSeconds: parseNumber("lease-wait-seconds", pick(flags, env, "lease-wait-seconds"), 20, 0.1, 300, false),
    reconnectBaseMs: 250,
    // The coordinator's restart grace is derived from this cap (proto restartGraceSeconds).
    reconnectCapMs: tunables.nodeReconnectCapSeconds * 1000,
    cpuCores,
    inputCacheBytes: parseNumber("input-cache-mib", pick(flags, env, "input-cache-mib"), 10_240, 0, 1 << 30, true) * 1024 * 1024,
  };
}
