/**
 * The node agent's own Prometheus metrics, served on `--metrics-listen` (its own port, so a
 * scrape never competes with gRPC). Naming follows Prometheus conventions: base units
 * (seconds, bytes), `_total` only on counters, no task or job ids as labels (unbounded
 * cardinality). Every series carries `Hostname` (and `hpc_job` under Slurm) as constant labels,
 * spelled exactly as dcgm-exporter spells them, so a PromQL join with DCGM's GPU series works:
 *   datalab_node_tasks_running * on(Hostname) group_left … DCGM_FI_DEV_GPU_UTIL
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { NodeGpuReading } from "./gpu-telemetry.js";

export interface NodeGpu {
  /** Device index as the kernels number it ("0", "1", …): dcgm-exporter's `gpu` label. */
  index: number;
  name: string;
  memoryBytes: number;
  uuid?: string;
}

export interface NodeMetricsOptions {
  nodeVersion: string;
  gpus: NodeGpu[];
  /** Process environment to read SLURM_JOB_ID / HOSTNAME from (injectable for tests). */
  env?: NodeJS.ProcessEnv;
  /** Extra default labels. */
  hostname?: string;
}

/** Label values that join with dcgm-exporter: `Hostname` from $HOSTNAME, `hpc_job` from $SLURM_JOB_ID. */
export function dcgmJoinLabels(env: NodeJS.ProcessEnv, hostname?: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const host = hostname ?? env["HOSTNAME"];
  if (host !== undefined && host !== "") labels["Hostname"] = host;
  const slurmJob = env["SLURM_JOB_ID"];
  if (slurmJob !== undefined && slurmJob !== "") labels["hpc_job"] = slurmJob;
  return labels;
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly taskDurationSeconds: Histogram<"kind" | "outcome">;
  readonly tasksTotal: Counter<"kind" | "outcome">;
  readonly tasksRunning: Gauge;
  readonly coordinatorConnected: Gauge;
  readonly reconnectsTotal: Counter;
  readonly uploadedBytesTotal: Counter;
  readonly downloadedBytesTotal: Counter;
  readonly gpuInfo: Gauge<"gpu" | "name" | "memory_bytes" | "uuid">;
  /** Where `datalab_node_input_cache_bytes` is read from at each scrape (the agent's input cache). */
  inputCacheBytes: () => number = () => 0;
  /** Live readings of the node's GPUs (NVML), read once per scrape; none without a driver. */
  gpuReadings: () => NodeGpuReading[] = () => [];
  /** Running tasks per GPU index, as the scheduler placed them. */
  tasksPerGpu: () => Map<number, number> = () => new Map();
  #server: Server | undefined;

  constructor(options: NodeMetricsOptions) {
    this.registry.setDefaultLabels(dcgmJoinLabels(options.env ?? process.env, options.hostname));
    collectDefaultMetrics({ register: this.registry });
    // prom-client's `nodejs_active_*_total` are gauges with a counter's suffix; the same values
    // are exported without it.
    for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) this.registry.removeSingleMetric(name);
    const registers = [this.registry];
    this.taskDurationSeconds = new Histogram({
      name: "datalab_node_task_duration_seconds",
      help: "Wall time of a task on this node from lease to completion report, by job kind and outcome.",
      labelNames: ["kind", "outcome"],
      // Small tasks take tens of milliseconds; large syntheses take minutes.
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.tasksTotal = new Counter({
      name: "datalab_node_tasks_total",
      help: "Tasks finished on this node, by job kind and outcome (succeeded, failed, cancelled, handed_back).",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.tasksRunning = new Gauge({ name: "datalab_node_tasks_running", help: "Tasks running on this node now.", registers });
    this.coordinatorConnected = new Gauge({
      name: "datalab_node_coordinator_connected",
      help: "1 while the node is registered with a reachable coordinator, 0 while it is reconnecting.",
      registers,
    });
    this.reconnectsTotal = new Counter({
      name: "datalab_node_reconnects_total",
      help: "Times the node re-registered after losing its coordinator.",
      registers,
    });
    this.uploadedBytesTotal = new Counter({ name: "datalab_node_uploaded_bytes_total", help: "Result bytes uploaded to the coordinator.", registers });
    this.downloadedBytesTotal = new Counter({ name: "datalab_node_downloaded_bytes_total", help: "Input bytes downloaded from the coordinator.", registers });
    const metrics = this;
    new Gauge({
      name: "datalab_node_input_cache_bytes",
      help: "Bytes of downloaded job inputs the node keeps for later tasks (capped by --input-cache-mib).",
      registers,
      collect() {
        this.set(metrics.inputCacheBytes());
      },
    });
    this.#registerGpuGauges(registers);
    this.gpuInfo = new Gauge({
      name: "datalab_node_gpu_info",
      help: "One series per GPU this node offers (value 1); device name and memory as labels.",
      labelNames: ["gpu", "name", "memory_bytes", "uuid"],
      registers,
    });
    for (const gpu of options.gpus) {
      const labels: Record<string, string> = { gpu: String(gpu.index), name: gpu.name, memory_bytes: String(gpu.memoryBytes) };
      if (gpu.uuid !== undefined) labels["uuid"] = gpu.uuid;
      this.gpuInfo.set(labels, 1);
    }
    new Gauge({
      name: "datalab_node_build_info",
      help: "Versions of this node agent (value 1).",
      labelNames: ["version", "nodejs_version"],
      registers,
    }).set({ version: options.nodeVersion, nodejs_version: process.version }, 1);
    this.coordinatorConnected.set(0);
    this.tasksRunning.set(0);
  }

  /**
   * Per-GPU gauges named per prometheus.io (base units, ratios 0..1), read at scrape time. Labels:
   * `gpu` (the node's GPU index, the scheduler's) and `UUID` (dcgm-exporter's label, for exact
   * joins). dcgm-exporter equivalents: DCGM_FI_DEV_GPU_UTIL/100, DCGM_FI_DEV_FB_USED·2^20,
   * (DCGM_FI_DEV_FB_USED+DCGM_FI_DEV_FB_FREE)·2^20, DCGM_FI_DEV_GPU_TEMP, DCGM_FI_DEV_POWER_USAGE.
   */
  #registerGpuGauges(registers: Registry[]): void {
    const metrics = this;
    let cached: { atMs: number; readings: NodeGpuReading[] } | undefined;
    // One NVML pass serves all six gauges of one scrape (they are collected within a few ms).
    const readings = (): NodeGpuReading[] => {
      const now = Date.now();
      if (cached === undefined || now - cached.atMs > 200) cached = { atMs: now, readings: metrics.gpuReadings() };
      return cached.readings;
    };
    const perGpu = (name: string, help: string, value: (r: NodeGpuReading) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["gpu", "UUID"],
        registers,
        collect() {
          this.reset();
          for (const r of readings()) this.set({ gpu: String(r.cudaIndex), UUID: r.uuid }, value(r));
        },
      });
    perGpu("datalab_node_gpu_utilization_ratio", "Share of time the GPU was busy over NVML's last sample period (0..1).", (r) => r.utilizationRatio);
    perGpu("datalab_node_gpu_memory_used_bytes", "GPU memory in use, all processes.", (r) => r.memoryUsedBytes);
    perGpu("datalab_node_gpu_memory_total_bytes", "GPU memory in total.", (r) => r.memoryTotalBytes);
    perGpu("datalab_node_gpu_temperature_celsius", "GPU core temperature.", (r) => r.temperatureCelsius);
    perGpu("datalab_node_gpu_power_watts", "GPU board power draw.", (r) => r.powerWatts);
    new Gauge({
      name: "datalab_node_gpu_tasks",
      help: "Tasks of this node running on each GPU, as the scheduler placed them.",
      labelNames: ["gpu"],
      registers,
      collect() {
        this.reset();
        const tasks = metrics.tasksPerGpu();
        for (const r of readings()) this.set({ gpu: String(r.cudaIndex) }, tasks.get(r.cudaIndex) ?? 0);
      },
    });
  }

  /** Serves GET /metrics on host:port (port 0 = any free port); resolves to the bound address. */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = createServer((request, response) => {
      if (request.method !== "GET" || (request.url ?? "").split("?")[0] !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found: try GET /metrics\n");
        return;
      }
      this.registry.metrics().then(
        (body) => response.writeHead(200, { "content-type": this.registry.contentType }).end(body),
        (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(error)}\n`),
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
