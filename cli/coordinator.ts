/**
 * `datalab coordinator`: runs the control plane until SIGTERM/SIGINT (SIGHUP re-reads the tokens file). Prints
 * `listening <host:port> metrics <host:port|none>` on stdout once ready (tests parse it).
 */
import { COORDINATOR_SETTINGS, ConfigError, type CoordinatorFlag, resolveCoordinatorConfig, startCoordinator } from "../coordinator/index.js";
import { restrictNewFilesToOwner } from "../proto/index.js";
import { MakeDirectoryError, makeDirectory } from "../tabular/index.js";
import { CliError } from "./cli-error.js";
import { checkPortFree } from "./listen-check.js";
import { parseFlags } from "./parse-flags.js";

const flagLines = Object.entries(COORDINATOR_SETTINGS).map(([flag, s]) => `  --${flag.padEnd(28)} ${s.help} [${s.env}]`);

export const usage = [
  "usage: datalab coordinator [--listen 127.0.0.1:7443] [--metrics-listen 127.0.0.1:9464] [--data-dir DIR] (--tls-dir DIR | --insecure) …",
  "",
  "Runs the control plane: JobService for clients (bearer tokens over TLS), NodeService for worker",
  "nodes (mutual TLS), health and reflection on one gRPC port; Prometheus /metrics on another.",
  "Every flag can also come from its environment variable; a flag wins.",
  "SIGHUP re-reads the tokens file (add or revoke client tokens without a restart); SIGTERM stops.",
  "",
  ...flagLines,
].join("\n");

export async function run(argv: string[]): Promise<number> {
  const options = Object.fromEntries(Object.keys(COORDINATOR_SETTINGS).map((flag) => [flag, { type: flag === "insecure" ? "boolean" : "string" }])) as Record<
    CoordinatorFlag,
    { type: "string" | "boolean" }
  >;
  const { values } = parseFlags("coordinator", argv, options, { min: 0, max: 0, names: "no positional arguments" });
  const pkg = (await import("../package.json", { with: { type: "json" } })).default;
  let config: ReturnType<typeof resolveCoordinatorConfig>;
  try {
    config = resolveCoordinatorConfig(values as Partial<Record<CoordinatorFlag, string | boolean>>, process.env, pkg.version);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, { cause: error });
    throw error;
  }
  if (config.insecure) {
    process.stderr.write(
      [
        "WARNING: datalab coordinator is running with --insecure: no TLS, no client certificates, and bearer",
        "WARNING: tokens travel in plaintext (without a tokens file the token is taken as the client name).",
        `WARNING: it listens on loopback only (${config.listenHost}); never use this mode for real data.`,
        "",
      ].join("\n"),
    );
  }
  // Files that SQLite and the chunk store create hold real data: owner-only, whatever the shell's umask.
  restrictNewFilesToOwner();
  try {
    // Made here, not by the stores' recursive mkdir, which spins forever under /proc (see makeDirectory).
    makeDirectory(config.dataDir);
  } catch (error) {
    if (error instanceof MakeDirectoryError) throw new CliError(`--data-dir: ${error.message}`, { cause: error });
    throw error;
  }
  await checkPortFree("--listen", config.listenHost, config.listenPort);
  const running = await startCoordinator(config);
  const metrics = running.metricsPort === undefined ? "none" : `${config.metricsHost}:${running.metricsPort}`;
  process.stdout.write(`listening ${running.address} metrics ${metrics}\n`);
  process.stderr.write(
    `datalab coordinator ${pkg.version}: data in ${config.dataDir}, lease ${config.leaseSeconds} s, heartbeat ${config.heartbeatIntervalSeconds} s\n`,
  );
  // SIGHUP re-reads the tokens file: add or revoke client tokens without a restart.
  const reload = () => {
    try {
      const reloaded = running.reloadTokens();
      if (reloaded === undefined) process.stderr.write("datalab coordinator: SIGHUP ignored: no tokens file in use (insecure mode)\n");
    } catch (error) {
      process.stderr.write(`datalab coordinator: SIGHUP: kept the tokens in force: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
  process.on("SIGHUP", reload);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`datalab coordinator: ${signal} received, shutting down\n`);
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  process.off("SIGHUP", reload);
  await running.shutdown();
  return 0;
}
