/**
 * coordinator/: the control plane. Job store (SQLite behind JobStore), job state machine,
 * GPU-aware scheduler, node registry and leases, chunk store, gRPC services with auth, metrics,
 * and the local CA used by `datalab certs`.
 */
export { Authenticator, CLIENT_CERT_OU, NODE_CERT_OU, readTokensFile, type TokensFile, TokensFileError, tokenSha256 } from "./auth.js";
export { CertsError, type IssuedFiles, type IssueOptions, issueCertificates } from "./certs.js";
export { ChunkStore } from "./chunk-store.js";
export { COORDINATOR_SETTINGS, ConfigError, type CoordinatorConfig, type CoordinatorFlag, isLoopbackHost, resolveCoordinatorConfig } from "./config.js";
export { Coordinator, type CoordinatorSettings, DEFAULT_SETTINGS } from "./coordinator.js";
export * from "./errors.js";
export { canonicalJson, validateSubmit } from "./job-spec.js";
export { ALL_STATES, assertTransition, canTransition, IllegalTransitionError, isTerminal, type JobStateValue } from "./job-states.js";
export type { JobQuery, JobRecord, JobStore, LeaseOutcome, NewJob, NodeRecord, ProgressRecord, ResultRecord } from "./job-store.js";
export { parseTaskId, taskIdOf } from "./job-view.js";
export { PageTokens, parseJobFilter } from "./list-query.js";
export { CoordinatorMetrics, serveMetrics } from "./metrics.js";
export { applyMigrations, MIGRATIONS, MigrationError, schemaVersion } from "./migrations.js";
export { freeCapacity, type NodeCapacity, placeDemand, type ResourceDemand, waitingReason } from "./scheduler.js";
export { type RunningCoordinator, startCoordinator } from "./server.js";
export { SqliteJobStore, type SqliteSynchronous } from "./sqlite-job-store.js";
