/**
 * Coordinator metrics for Prometheus (prom-client), served on their own port. Naming follows
 * https://prometheus.io/docs/practices/naming/: prefix `datalab_`, base units (seconds, bytes),
 * `_total` only on counters, no job or node ids as labels (unbounded cardinality). Gauges that
 * mirror the store (jobs by state, nodes, GPUs) are computed when scraped.
 */
import { createFederationMetrics, type FederationMetrics } from "./federation/federation-metrics.js";
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { ALL_STATES, type JobStateValue, shortState } from "./job-states.js";

/** What the scrape-time gauges read. */
export interface MetricsSource {
  jobsByState(): Map<JobStateValue, number>;
  /** Unix ms at which the longest-waiting queued job entered the queue; undefined when none waits. */
  oldestQueuedTimeMs(): number | undefined;
  nodesConnected(): number;
  gpusRegistered(): number;
  gpusInUse(): number;
}

/** Default process gauges of prom-client whose names wrongly end in `_total`; removed from every registry. */
export const MISNAMED_DEFAULT_GAUGES = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"] as const;

export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly queueWaitSeconds: Histogram<string>;
  readonly jobDurationSeconds: Histogram<"kind" | "outcome">;
  readonly jobsSubmitted: Counter<"kind">;
  readonly attempts: Counter<"kind">;
  readonly attemptFailures: Counter<"kind" | "reason">;
  readonly transferBytes: Counter<"direction">;
  readonly lastSuccessfulJobTimestamp: Gauge<string>;
  readonly rpcRequests: Counter<"service" | "method" | "code">;
  readonly rpcHandlingSeconds: Histogram<"service" | "method">;
  readonly resultsExpired: Counter<string>;
  readonly chunksRemoved: Counter<string>;
  readonly chunkBytesRemoved: Counter<string>;

  /** Federated rounds (coordinator/federation/federation-metrics.ts). */
  readonly federation: FederationMetrics;

  constructor(source: MetricsSource, build: { version: string }) {
    const registers = [this.registry];
    this.federation = createFederationMetrics(this.registry);
    collectDefaultMetrics({ register: this.registry });
    // prom-client's `nodejs_active_{handles,requests,resources}_total` are gauges that end in
    // `_total` (reserved for counters); the same values are exported without the suffix.
    for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
    new Gauge({
      name: "datalab_build_info",
      help: "Build information of the coordinator; the value is always 1.",
      labelNames: ["version", "nodejs_version"],
      registers,
    }).set({ version: build.version, nodejs_version: process.version }, 1);
    new Gauge({
      name: "datalab_jobs",
      help: "Jobs in the store by state.",
      labelNames: ["state"],
      registers,
      collect() {
        const counts = source.jobsByState();
        for (const state of ALL_STATES) this.set({ state: shortState(state).toLowerCase() }, counts.get(state) ?? 0);
      },
    });
    new Gauge({
      name: "datalab_queue_oldest_job_wait_seconds",
      help: "How long the job that has waited longest in the queue has waited (0 when the queue is empty).",
      registers,
      collect() {
        const since = source.oldestQueuedTimeMs();
        this.set(since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000));
      },
    });
    new Gauge({
      name: "datalab_nodes_connected",
      help: "Worker nodes that are registered and heartbeating.",
      registers,
      collect() {
        this.set(source.nodesConnected());
      },
    });
    new Gauge({
      name: "datalab_gpus_registered",
      help: "GPUs offered by connected nodes.",
      registers,
      collect() {
        this.set(source.gpusRegistered());
      },
    });
    new Gauge({
      name: "datalab_gpus_in_use",
      help: "GPUs of connected nodes that hold at least one leased task.",
      registers,
      collect() {
        this.set(source.gpusInUse());
      },
    });
    this.queueWaitSeconds = new Histogram({
      name: "datalab_job_queue_wait_seconds",
      help: "Time from a job entering the queue to its lease.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.jobDurationSeconds = new Histogram({
      name: "datalab_job_duration_seconds",
      help: "Time from a job's first lease (or submission, if never leased) to its end, by kind and outcome.",
      labelNames: ["kind", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers,
    });
    this.jobsSubmitted = new Counter({
      name: "datalab_jobs_submitted_total",
      help: "Jobs created by SubmitJob (idempotent retries not counted).",
      labelNames: ["kind"],
      registers,
    });
    this.attempts = new Counter({ name: "datalab_job_attempts_total", help: "Job attempts started (leases handed out).", labelNames: ["kind"], registers });
    this.attemptFailures = new Counter({
      name: "datalab_job_attempt_failures_total",
      help: "Job attempts that ended without success, by reason (failed, lease_expired, node_lost).",
      labelNames: ["kind", "reason"],
      registers,
    });
    this.transferBytes = new Counter({
      name: "datalab_transfer_bytes_total",
      help: "Payload bytes moved in chunks, by direction (received: uploads, sent: downloads).",
      labelNames: ["direction"],
      registers,
    });
    this.resultsExpired = new Counter({
      name: "datalab_results_expired_total",
      help: "Jobs whose results result retention dropped (--result-retention-days).",
      registers,
    });
    this.chunksRemoved = new Counter({
      name: "datalab_chunks_removed_total",
      help: "Stored chunks result retention removed because nothing referenced them any more.",
      registers,
    });
    this.chunkBytesRemoved = new Counter({ name: "datalab_chunks_removed_bytes_total", help: "Bytes of the chunks result retention removed.", registers });
    this.lastSuccessfulJobTimestamp = new Gauge({
      name: "datalab_last_successful_job_timestamp_seconds",
      help: "Unix time of the last job that succeeded (0 if none since start).",
      registers,
    });
    this.lastSuccessfulJobTimestamp.set(0);
    this.rpcRequests = new Counter({
      name: "datalab_grpc_server_handled_total",
      help: "RPCs completed by the coordinator, by service, method and status code.",
      labelNames: ["service", "method", "code"],
      registers,
    });
    this.rpcHandlingSeconds = new Histogram({
      name: "datalab_grpc_server_handling_seconds",
      help: "Time from a unary RPC's handler start to its answer (store commit and fsync included; queueing before the handler not), by service and method. LeaseTask includes its long-poll wait.",
      labelNames: ["service", "method"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  kindLabel(kind: string): string {
    return kind.replace(/^JOB_KIND_/, "").toLowerCase();
  }
}

/** Serves `/metrics` (and `/healthz`) on its own HTTP listener; resolves with the bound port. */
export function serveMetrics(registry: Registry, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    if (request.method === "GET" && request.url?.split("?")[0] === "/metrics") {
      registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { "content-type": registry.contentType });
          response.end(text);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { "content-type": "text/plain" });
          response.end(`metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`);
        });
      return;
    }
    if (request.method === "GET" && request.url === "/healthz") {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok\n");
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found; metrics are at /metrics\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address !== null ? address.port : port });
    });
  });
}
