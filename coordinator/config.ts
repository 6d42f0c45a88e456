/**
 * Coordinator settings from flags and environment (`--lease-seconds` or DATALAB_LEASE_SECONDS;
 * a flag wins), validated at startup: a bad value stops the start with a message naming the
 * flag, its environment variable, the rule, and the value seen.
 */
import { existsSync } from "node:fs";
import { tlsLayout, tunables } from "../proto/index.js";

export interface CoordinatorConfig {
  listenHost: string;
  listenPort: number;
  metricsHost: string;
  /** undefined = no metrics listener. */
  metricsPort: number | undefined;
  dataDir: string;
  tlsDir: string | undefined;
  /** Tokens file; default `<tlsDir>/tokens.json`. In insecure mode without one, the bearer token is the client name. */
  tokensFile: string | undefined;
  insecure: boolean;
  leaseSeconds: number;
  heartbeatIntervalSeconds: number;
  maxAttempts: number;
  sqliteSynchronous: "FULL" | "NORMAL";
  maxChunkBytes: number;
  /** Days a finished job's results are kept; 0 = forever (no retention sweep). */
  resultRetentionDays: number;
  version: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Flag name -> environment variable, help text and default. */
export const COORDINATOR_SETTINGS = {
  listen: { env: "DATALAB_LISTEN", help: "gRPC address host:port (port 0 = any free port)", fallback: "127.0.0.1:7443" },
  "metrics-listen": { env: "DATALAB_METRICS_LISTEN", help: "Prometheus /metrics address host:port, or `none`", fallback: "127.0.0.1:9464" },
  "data-dir": { env: "DATALAB_DATA_DIR", help: "folder for the job database and stored chunks", fallback: "datalab-data" },
  "tls-dir": { env: "DATALAB_TLS_DIR", help: "folder made by `datalab certs` (ca.crt, server.crt/.key, tokens.json)", fallback: undefined },
  "tokens-file": { env: "DATALAB_TOKENS_FILE", help: "client tokens file (default <tls-dir>/tokens.json)", fallback: undefined },
  insecure: { env: "DATALAB_INSECURE", help: "plaintext, no client authentication: loopback development only", fallback: undefined },
  "lease-seconds": { env: "DATALAB_LEASE_SECONDS", help: `task lease length (default ${tunables.leaseSeconds})`, fallback: String(tunables.leaseSeconds) },
  "heartbeat-interval-seconds": {
    env: "DATALAB_HEARTBEAT_INTERVAL_SECONDS",
    help: `heartbeat interval proposed to nodes (default ${tunables.heartbeatIntervalSeconds})`,
    fallback: String(tunables.heartbeatIntervalSeconds),
  },
  "max-attempts": {
    env: "DATALAB_MAX_ATTEMPTS",
    help: `attempts per job unless it asks (default ${tunables.defaultMaxAttempts})`,
    fallback: String(tunables.defaultMaxAttempts),
  },
  "result-retention-days": {
    env: "DATALAB_RESULT_RETENTION_DAYS",
    help: "drop the results of jobs that ended this many days ago and remove chunks nothing references any more (default 0: keep forever)",
    fallback: "0",
  },
  "sqlite-synchronous": {
    env: "DATALAB_SQLITE_SYNCHRONOUS",
    help: "FULL: acknowledge a change only after fsync (group commit; default). NORMAL: no fsync (survives kill -9, not power loss)",
    fallback: "FULL",
  },
} as const;

export type CoordinatorFlag = keyof typeof COORDINATOR_SETTINGS;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

function setting(
  flags: Partial<Record<CoordinatorFlag, string | boolean>>,
  env: Record<string, string | undefined>,
  flag: CoordinatorFlag,
): string | undefined {
  const value = flags[flag];
  if (typeof value === "string") return value;
  if (value === true) return "true";
  const fromEnv = env[COORDINATOR_SETTINGS[flag].env];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return COORDINATOR_SETTINGS[flag].fallback;
}

function name(flag: CoordinatorFlag): string {
  return `--${flag} (${COORDINATOR_SETTINGS[flag].env})`;
}

function parseHostPort(flag: CoordinatorFlag, text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : Number.NaN;
  if (match === null || port > 65535) throw new ConfigError(`${name(flag)} must be host:port like 127.0.0.1:7443 (port 0 picks a free one), got "${text}".`);
  return { host: (match[1] ?? match[2])!, port };
}

function parseWhole(flag: CoordinatorFlag, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name(flag)} must be a whole number from ${min} to ${max}, got "${text}".`);
  return value;
}

function parseRetentionDays(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 36_500) {
    throw new ConfigError(`${name("result-retention-days")} must be a number of days from 0 (keep forever) to 36500, got "${text}".`);
  }
  return value;
}

function parseBoolean(flag: CoordinatorFlag, text: string | undefined): boolean {
  if (text === undefined) return false;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new ConfigError(`${name(flag)} must be true or false, got "${text}".`);
}

export function resolveCoordinatorConfig(
  flags: Partial<Record<CoordinatorFlag, string | boolean>>,
  env: Record<string, string | undefined>,
  version: string,
): CoordinatorConfig {
  const listen = parseHostPort("listen", setting(flags, env, "listen")!);
  const metricsText = setting(flags, env, "metrics-listen")!;
  const metrics = metricsText === "none" ? undefined : parseHostPort("metrics-listen", metricsText);
  const insecure = parseBoolean("insecure", setting(flags, env, "insecure"));
  const tlsDir = setting(flags, env, "tls-dir");
  const tokensFile = setting(flags, env, "tokens-file");
  if (insecure) {
    if (!isLoopbackHost(listen.host)) {
      throw new ConfigError(
        `${name("insecure")} is allowed only on a loopback address (127.0.0.1, ::1, localhost), but --listen is ${listen.host}; use --tls-dir for anything reachable from other machines.`,
      );
    }
    if (tlsDir !== undefined) throw new ConfigError(`${name("insecure")} and ${name("tls-dir")} are both set; choose one.`);
  } else {
    if (tlsDir === undefined)
      throw new ConfigError(`${name("tls-dir")} is required (create one with \`datalab certs --out certs\`), or pass --insecure for loopback development.`);
    const layout = tlsLayout(tlsDir);
    for (const [what, path] of [
      ["CA certificate", layout.caCert],
      ["server certificate", layout.serverCert],
      ["server key", layout.serverKey],
    ] as const) {
      if (!existsSync(path))
        throw new ConfigError(`${name("tls-dir")}: the ${what} ${path} does not exist; create the folder with \`datalab certs --out ${tlsDir}\`.`);
    }
    const tokens = tokensFile ?? layout.tokens;
    if (!existsSync(tokens))
      throw new ConfigError(`${name("tokens-file")}: ${tokens} does not exist; create it with \`datalab certs --out ${tlsDir} --clients <name>\`.`);
  }
  const sync = setting(flags, env, "sqlite-synchronous")!.toUpperCase();
  if (sync !== "FULL" && sync !== "NORMAL") throw new ConfigError(`${name("sqlite-synchronous")} must be FULL or NORMAL, got "${sync}".`);
  const dataDir = setting(flags, env, "data-dir")!;
  if (dataDir.trim() === "") throw new ConfigError(`${name("data-dir")} must not be empty.`);
  const config: CoordinatorConfig = {
    listenHost: listen.host,
    listenPort: listen.port,
    metricsHost: metrics?.host ?? "127.0.0.1",
    metricsPort: metrics?.port,
    dataDir,
    tlsDir,
    tokensFile,
    insecure,
    leaseSeconds: parseWhole("lease-seconds", setting(flags, env, "lease-seconds")!, 2, 3600),
    heartbeatIntervalSeconds: parseWhole(
      "heartbeat-interval-seconds",
      setting(flags, env, "heartbeat-interval-seconds")!,
      tunables.minHeartbeatIntervalSeconds,
      tunables.maxHeartbeatIntervalSeconds,
    ),
    maxAttempts: parseWhole("max-attempts", setting(flags, env, "max-attempts")!, 1, tunables.maxMaxAttempts),
    sqliteSynchronous: sync,
    maxChunkBytes: tunables.maxChunkBytes,
    resultRetentionDays: parseRetentionDays(setting(flags, env, "result-retention-days")!),
    version,
  };
  return config;
}
