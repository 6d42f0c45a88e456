/**
 * A datalab deployment in miniature for the integration tests and the load benchmark: a local
 * CA and certificates (`datalab certs`), one coordinator (`datalab coordinator`, random free
 * ports, short leases and heartbeats so failures show up in seconds), and node agents
 * (`datalab node`), all real child processes on 127.0.0.1, plus gRPC clients for tests to call.
 */
import { join } from "node:path";
import type * as grpc from "@grpc/grpc-js";
import { connectJobService, connectNodeService, type JobServiceClient, type NodeServiceClient, readClientTls, readNodeTls } from "../proto/index.js";
import type { DatalabProcess, TestProcesses } from "./process-harness.js";

export interface ClusterOptions {
  /** Nodes started with the cluster. */
  nodes: string[];
  /** Nodes that get certificates but are started later by the test. */
  spareNodes?: string[];
  clients?: string[];
  leaseSeconds?: number;
  heartbeatIntervalSeconds?: number;
  maxAttempts?: number;
  /** Extra `datalab coordinator` flags. */
  coordinatorArgs?: string[];
  /** Environment for every child. */
  env?: NodeJS.ProcessEnv;
  /** Node flags beyond the connection ones. */
  nodeArgs?: string[];
}

export class Cluster {
  readonly processes: TestProcesses;
  readonly dir: string;
  readonly tlsDir: string;
  readonly dataDir: string;
  readonly options: ClusterOptions;
  coordinator: DatalabProcess | undefined;
  /** host:port of the coordinator's gRPC endpoint (kept across restarts). */
  address = "";
  metricsUrl = "";
  readonly nodes = new Map<string, DatalabProcess>();
  readonly #clients: grpc.Client[] = [];

  constructor(processes: TestProcesses, dir: string, options: ClusterOptions) {
    this.processes = processes;
    this.dir = dir;
    this.tlsDir = join(dir, "tls");
    this.dataDir = join(dir, "coordinator-data");
    this.options = options;
  }

  async makeCerts(): Promise<void> {
    const certs = this.processes.start(
      "certs",
      [
        "certs",
        "--out",
        this.tlsDir,
        "--nodes",
        [...this.options.nodes, ...(this.options.spareNodes ?? [])].join(","),
        "--clients",
        (this.options.clients ?? ["alice", "bob"]).join(","),
      ],
      this.options.env,
    );
    const { code } = await certs.exited;
    if (code !== 0) throw new Error(`datalab certs failed (${code}):\n${certs.lines.join("\n")}`);
  }

  /** Starts (or restarts, on the same port and data dir) the coordinator; resolves when it listens. */
  async startCoordinator(): Promise<DatalabProcess> {
    const listen = this.address === "" ? "127.0.0.1:0" : this.address;
    const args = [
      "coordinator",
      "--listen",
      listen,
      "--metrics-listen",
      this.metricsUrl === "" ? "127.0.0.1:0" : new URL(this.metricsUrl).host,
      "--data-dir",
      this.dataDir,
      "--tls-dir",
      this.tlsDir,
      "--lease-seconds",
      String(this.options.leaseSeconds ?? 3),
      "--heartbeat-interval-seconds",
      String(this.options.heartbeatIntervalSeconds ?? 1),
      ...(this.options.maxAttempts === undefined ? [] : ["--max-attempts", String(this.options.maxAttempts)]),
      ...(this.options.coordinatorArgs ?? []),
    ];
    const coordinator = this.processes.start("coordinator", args, this.options.env);
    this.coordinator = coordinator;
    // The coordinator prints "listening <host:port> metrics <host:port>" once it serves.
    const ready = await coordinator.waitForLine(/^listening (\S+:\d+) metrics (\S+:\d+)/, 30_000);
    this.address = ready[1]!;
    this.metricsUrl = `http://${ready[2]}/metrics`;
    return coordinator;
  }

  /** Starts a node agent and resolves once it has registered. */
  async startNode(nodeId: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DatalabProcess> {
    const node = this.processes.start(
      nodeId,
      [
        "node",
        "--coordinator",
        this.address,
        "--tls-dir",
        this.tlsDir,
        "--node-id",
        nodeId,
        "--work-dir",
        join(this.dir, `work-${nodeId}`),
        "--metrics-listen",
        "127.0.0.1:0",
        "--lease-wait-seconds",
        "2",
        "--shutdown-grace-seconds",
        "5",
        ...(this.options.nodeArgs ?? []),
        ...extraArgs,
      ],
      { DATALAB_DEVICE: "cpu", ...this.options.env, ...env },
    );
    this.nodes.set(nodeId, node);
    await node.waitForLine(/registered with/, 30_000);
    return node;
  }

  /** The metrics URL a node printed. */
  async nodeMetricsUrl(nodeId: string): Promise<string> {
    const node = this.nodes.get(nodeId);
    if (node === undefined) throw new Error(`no node ${nodeId}`);
    return (await node.waitForLine(/metrics on (http:\/\/\S+\/metrics)/))[1]!;
  }

  jobClient(clientName = "alice", token?: string): JobServiceClient {
    const tls = readClientTls(this.tlsDir, clientName);
    const client = connectJobService({ address: this.address, token: token ?? tls.token, caPem: tls.caPem, serverNameOverride: "localhost" });
    this.#clients.push(client);
    return client;
  }

  nodeClient(nodeId: string): NodeServiceClient {
    const client = connectNodeService({ address: this.address, tls: readNodeTls(this.tlsDir, nodeId), serverNameOverride: "localhost" });
    this.#clients.push(client);
    return client;
  }

  /** Common flags for `datalab submit|jobs|get|…` child processes. */
  clientArgs(clientName = "alice"): string[] {
    return ["--coordinator", this.address, "--tls-dir", this.tlsDir, "--client", clientName];
  }

  close(): void {
    for (const client of this.#clients.splice(0)) client.close();
  }
}

export async function startCluster(processes: TestProcesses, options: ClusterOptions): Promise<Cluster> {
  const dir = await processes.tempDir("cluster");
  const cluster = new Cluster(processes, dir, options);
  await cluster.makeCerts();
  await cluster.startCoordinator();
  await Promise.all(options.nodes.map((nodeId) => cluster.startNode(nodeId)));
  return cluster;
}
