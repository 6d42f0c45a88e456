/**
 * trainer/: the worker node agent (`datalab node`) and the job code it runs.
 * - NodeAgent: register, heartbeat, long-poll leases, run, spool and report outcomes, reconnect, shut down gracefully.
 * - WorkerTaskPool / runDatalabTask: tasks in worker threads, running the same job code as `datalab synth`.
 * - NodeMetrics: the node's Prometheus endpoint (dcgm-exporter-joinable labels).
 * - resolveNodeConfig: flags + DATALAB_… environment, validated.
 */
export { ReconnectBackoff, sleepUnlessAborted } from "./backoff.js";
export { BundledInputError, installationRoot, resolveBundledUri } from "./bundled-inputs.js";
export { applyDeviceOverride, type GpuCapability, type NodeCapabilities, probeCapabilities } from "./capabilities.js";
export { runDatalabTask } from "./datalab-task.js";
export { NodeAgent, NodeAgentError, type NodeAgentOptions } from "./node-agent.js";
export { isLoopbackHost, type NodeAgentConfig, NodeConfigError, nodeEnvNames, parseHostPort, resolveNodeConfig } from "./node-config.js";
export { dcgmJoinLabels, NodeMetrics } from "./node-metrics.js";
export { nodeChannelOptions } from "./node-rpc.js";
export { ResultSpool, type SpooledOutcome, SpoolError } from "./result-spool.js";
export { readingsForNode } from "./gpu-telemetry.js";
export { smallSampleTasks } from "./inline-tasks.js";
export {
  checkEnoughRows,
  MIN_TRAINING_ROWS,
  runSampleJob,
  runSynthesisJob,
  SCORE_MAX_ROWS,
  type SynthesisJobSpec,
  type SynthesisJobSummary,
} from "./synthesis-job.js";
export {
  isRetryableTaskError,
  seedForJob,
  type TaskRunHooks,
  type TaskRunner,
  type TaskRunRequest,
  type TaskRunResult,
  TaskSpecError,
  taskRunRequestOf,
} from "./task-runner.js";
export { TaskWorkerError, WorkerTaskPool } from "./worker-task-pool.js";
export * from "./holder/index.js";
