/**
 * `datalab node` — a worker node agent: dials the coordinator with its node certificate (mutual
 * TLS), registers its GPUs/cores/memory, heartbeats, leases tasks that fit, runs them with the
 * same job code as `datalab synth`, streams progress and results back. SIGTERM/SIGINT: stop
 * leasing, finish (or after the grace period hand back) the running task, exit 0.
 */
import { availableParallelism } from "node:os";
import * as grpc from "@grpc/grpc-js";
import pkg from "../package.json" with { type: "json" };
import { CredentialsFileError, createNodeClient, lockFolder, loosenedWarnings, makePrivateDir, readNodeTls, restrictNewFilesToOwner } from "../proto/index.js";
import { openNvml } from "../kernels/index.js";
import {
  applyDeviceOverride,
  NodeAgent,
  NodeConfigError,
  NodeMetrics,
  nodeChannelOptions,
  nodeEnvNames,
  probeCapabilities,
  readingsForNode,
  resolveNodeConfig,
  smallSampleTasks,
  WorkerTaskPool,
} from "../trainer/index.js";
import { CliError } from "./cli-error.js";
import { loopbackServerName } from "./job-client.js";
import { parseCount, parseFlags } from "./parse-flags.js";
import { LineLog } from "./line-log.js";

export const usage = `usage: datalab node --coordinator host:port --tls-dir DIR [options]
  Runs a worker node agent. Every flag can also come from the variable shown.
  --coordinator host:port        ${nodeEnvNames.coordinator}   coordinator gRPC address (required)
  --tls-dir DIR                  ${nodeEnvNames["tls-dir"]}      folder from \`datalab certs\` with ca.crt and nodes/<id>.crt/.key
  --node-id ID                   ${nodeEnvNames["node-id"]}      this node's name = its certificate's name (default: host name)
  --work-dir DIR                 ${nodeEnvNames["work-dir"]}     inputs, outputs and unreported results (default ./datalab-node-<id>)
  --metrics-listen host:port     ${nodeEnvNames["metrics-listen"]} serve Prometheus /metrics there (port 0: any free port)
  --max-tasks N                  DATALAB_MAX_TASKS    tasks run at once (default 1)
  --cpu-cores N                  ${nodeEnvNames["cpu-cores"]}    cores offered to jobs (default: all)
  --input-cache-mib N            ${nodeEnvNames["input-cache-mib"]} downloaded inputs kept for later tasks, least recently used removed first (default 10240)
  --shutdown-grace-seconds S     ${nodeEnvNames["shutdown-grace-seconds"]} wait this long for a running task on SIGTERM, then hand it back (default 30)
  --lease-wait-seconds S         ${nodeEnvNames["lease-wait-seconds"]} long-poll length of one LeaseTask call (default 20)
  --insecure                     ${nodeEnvNames.insecure}     plaintext to a loopback coordinator (development only)
  GPUs are found by the native kernels; DATALAB_DEVICE=cpu offers none.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    "node",
    argv,
    {
      coordinator: { type: "string" },
      "tls-dir": { type: "string" },
      "node-id": { type: "string" },
      "work-dir": { type: "string" },
      "metrics-listen": { type: "string" },
      "max-tasks": { type: "string" },
      "cpu-cores": { type: "string" },
      "input-cache-mib": { type: "string" },
      "shutdown-grace-seconds": { type: "string" },
      "lease-wait-seconds": { type: "string" },
      insecure: { type: "boolean" },
    },
    { min: 0, max: 0, names: "no positional arguments" },
  );
  let config: ReturnType<typeof resolveNodeConfig>;
  try {
    config = resolveNodeConfig(values, process.env, availableParallelism());
  } catch (error) {
    if (error instanceof NodeConfigError) throw new CliError(error.message, { cause: error });
    throw error;
  }
  const maxTasks = parseCount("max-tasks", values["max-tasks"] ?? process.env["DATALAB_MAX_TASKS"], 1, { min: 1, max: 256 });
  // The work folder holds real data (inputs, outputs, unreported results): owner-only, one agent at a time.
  restrictNewFilesToOwner();
  makePrivateDir(config.workDir);
  const lock = lockFolder(config.workDir, `datalab node ${config.nodeId}`, "--work-dir");
  try {
    return await runAgent(config, maxTasks);
  } finally {
    lock.release();
  }
}

async function runAgent(config: ReturnType<typeof resolveNodeConfig>, maxTasks: number): Promise<number> {
  const lines = new LineLog();
  const log = (line: string) => lines.line(`${new Date().toISOString()} node ${config.nodeId}: ${line}`);
  for (const warning of loosenedWarnings(config.workDir, "--work-dir")) log(warning);

  let credentials: grpc.ChannelCredentials;
  if (config.insecure) {
    process.stderr.write(
      `\n  WARNING: datalab node ${config.nodeId} talks to ${config.coordinatorAddress} WITHOUT TLS (--insecure).\n  Anyone on this machine can read its data and impersonate the coordinator. Development on loopback only.\n\n`,
    );
    credentials = grpc.credentials.createInsecure();
  } else {
    try {
      const tls = readNodeTls(config.tlsDir!, config.nodeId);
      credentials = grpc.credentials.createSsl(tls.caPem, tls.keyPem, tls.certPem);
    } catch (error) {
      if (error instanceof CredentialsFileError) throw new CliError(error.message, { cause: error });
      throw error;
    }
  }

  // CUDA ordinals in PCI order, as NVML and dcgm-exporter number GPUs (trainer/gpu-telemetry.ts).
  process.env["CUDA_DEVICE_ORDER"] ??= "PCI_BUS_ID";
  const capabilities = applyDeviceOverride(await probeCapabilities({ cpuCores: config.cpuCores, agentVersion: pkg.version }), process.env);
  if (capabilities.gpus.length === 0) log(`no GPU offered (${capabilities.gpuUnavailableReason ?? "none found"}); CPU-only jobs only`);
  const metrics = new NodeMetrics({ nodeVersion: pkg.version, gpus: capabilities.gpus });
  const nvml = openNvml();
  if (nvml.available) metrics.gpuReadings = () => readingsForNode(nvml.read(), process.env);
  else log(`no GPU telemetry: ${nvml.reason}`);
  if (config.metricsListen !== undefined) {
    try {
      const bound = await metrics.listen(config.metricsListen.host, config.metricsListen.port);
      process.stdout.write(`node ${config.nodeId} metrics on http://${bound.host}:${bound.port}/metrics\n`);
    } catch (error) {
      throw new CliError(
        `--metrics-listen ${config.metricsListen.host}:${config.metricsListen.port} cannot be used (${error instanceof Error ? error.message : String(error)}); pick a free port.`,
        { cause: error },
      );
    }
  }
  // `datalab certs` names the server "localhost" (and 127.0.0.1); TLS SNI cannot carry an IP address.
  const serverName = loopbackServerName(config.coordinatorAddress);
  const channelOptions =
    !config.insecure && serverName !== undefined ? { ...nodeChannelOptions, "grpc.ssl_target_name_override": serverName } : nodeChannelOptions;
  const client = createNodeClient(config.coordinatorAddress, credentials, channelOptions);
  // Tasks run in worker threads: a long synchronous fit must not starve heartbeats and lease renewals,
  // except small SAMPLE tasks, which cost less than the hop to a worker (trainer/inline-tasks.ts).
  const pool = new WorkerTaskPool({ inline: smallSampleTasks });
  const agent = new NodeAgent({ config, capabilities, client, runner: pool.run, metrics, maxConcurrentTasks: maxTasks, log, gpuReadings: metrics.gpuReadings });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    log(`${signal}${signals > 1 ? " again: handing back running tasks now" : ""}`);
    agent.requestShutdown(signals > 1 ? 0 : config.shutdownGraceSeconds);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    process.stdout.write(`node ${config.nodeId} starting; coordinator ${config.coordinatorAddress}\n`);
    return await agent.run();
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    client.close();
    await pool.close();
    await metrics.close();
    if (nvml.available) nvml.close();
    lines.close();
  }
}
