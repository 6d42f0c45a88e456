/**
 * Starts the coordinator as a service: the SQLite store and chunk store under the data dir,
 * the gRPC server (JobService, NodeService, grpc.health.v1, reflection) on one port with TLS
 * (client certificates requested, not required: nodes present one, API clients a bearer token),
 * and /metrics on its own HTTP port. `shutdown()` drains gracefully.
 */
import { readFileSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import {
  CHANNEL_OPTIONS,
  JOB_SERVICE_NAME,
  jobServiceDefinition,
  loadDatalabProto,
  lockFolder,
  loosenedWarnings,
  makePrivateDir,
  NODE_SERVICE_NAME,
  nodeServiceDefinition,
  tlsLayout,
  tunables,
} from "../proto/index.js";
import { Authenticator, readTokensFile } from "./auth.js";
import { ChunkStore } from "./chunk-store.js";
import type { CoordinatorConfig } from "./config.js";
import { Coordinator } from "./coordinator.js";
import { jobServiceHandlers } from "./job-service.js";
import { CoordinatorMetrics, serveMetrics } from "./metrics.js";
import { nodeServiceHandlers } from "./node-service.js";
import { ResultRetention } from "./retention.js";
import type { Log } from "./rpc.js";
import { SmallChunkTable } from "./small-chunks.js";
import { SqliteJobStore } from "./sqlite-job-store.js";

export interface RunningCoordinator {
  coordinator: Coordinator;
  /** host:port the gRPC server is bound to. */
  address: string;
  port: number;
  metricsPort: number | undefined;
  /**
   * Re-reads the tokens file (the CLI does on SIGHUP), so tokens are added or revoked without a
   * restart; returns the file and how many clients it names. A file that does not parse throws
   * TokensFileError and the tokens in force stay. Undefined when the coordinator runs without a
   * tokens file (insecure mode).
   */
  reloadTokens(): { path: string; clients: number } | undefined;
  /** The retention sweeper when --result-retention-days is above 0 (tests call its sweep()). */
  retention: ResultRetention | undefined;
  shutdown(graceSeconds?: number): Promise<void>;
}

/**
 * Hands grpc-js the server certificate and CA read once at startup. Updates are delivered on
 * the next tick, after grpc-js has registered its watcher (a synchronous call would be lost),
 * and before the bind completes, so no early connection finds the TLS context missing (the
 * file watcher of grpc-js reads asynchronously and drops connections that arrive first).
 */
class StaticCertificateProvider implements grpc.experimental.CertificateProvider {
  private readonly ca: { caCertificate: Buffer };
  private readonly identity: { certificate: Buffer; privateKey: Buffer };

  constructor(caPem: Buffer, certPem: Buffer, keyPem: Buffer) {
    this.ca = { caCertificate: caPem };
    this.identity = { certificate: certPem, privateKey: keyPem };
  }
  addCaCertificateListener(listener: (update: { caCertificate: Buffer } | null) => void): void {
    process.nextTick(listener, this.ca);
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(listener: (update: { certificate: Buffer; privateKey: Buffer } | null) => void): void {
    process.nextTick(listener, this.identity);
  }
  removeIdentityCertificateListener(): void {}
}

function serverCredentials(config: CoordinatorConfig): grpc.ServerCredentials {
  if (config.insecure || config.tlsDir === undefined) return grpc.ServerCredentials.createInsecure();
  const layout = tlsLayout(config.tlsDir);
  const provider = new StaticCertificateProvider(readFileSync(layout.caCert), readFileSync(layout.serverCert), readFileSync(layout.serverKey));
  // Request client certificates but do not require them: nodes present one (checked against
  // the CA by TLS), API clients a bearer token; the handlers decide per service.
  return grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

export async function startCoordinator(config: CoordinatorConfig, log: Log = (line) => process.stderr.write(`${line}\n`)): Promise<RunningCoordinator> {
  // Real data at rest (uploaded tables, results): the folder is private, and only this process uses it.
  makePrivateDir(config.dataDir);
  const lock = lockFolder(config.dataDir, "datalab coordinator", "--data-dir");
  for (const warning of loosenedWarnings(config.dataDir, "--data-dir")) log(warning);
  let store: SqliteJobStore;
  try {
    store = new SqliteJobStore(join(config.dataDir, "jobs.sqlite"), { synchronous: config.sqliteSynchronous });
  } catch (error) {
    lock.release();
    throw error;
  }
  const chunks = new ChunkStore(join(config.dataDir, "chunks"), config.maxChunkBytes, {
    table: new SmallChunkTable(store.db, tunables.maxInlineResultBytes),
    durable: () => store.durable(),
  });
  let coordinator: Coordinator | undefined;
  const metrics = new CoordinatorMetrics(
    {
      jobsByState: () => store.countByState(),
      oldestQueuedTimeMs: () => store.oldestQueuedTimeMs(),
      nodesConnected: () => coordinator?.nodes.size ?? 0,
      gpusRegistered: () => coordinator?.gpusRegistered() ?? 0,
      gpusInUse: () => coordinator?.gpusInUse() ?? 0,
    },
    { version: config.version },
  );
  coordinator = new Coordinator({
    store,
    chunks,
    metrics,
    settings: { leaseSeconds: config.leaseSeconds, heartbeatIntervalSeconds: config.heartbeatIntervalSeconds, defaultMaxAttempts: config.maxAttempts },
  });
  const tokensPath = config.insecure && config.tokensFile === undefined ? undefined : (config.tokensFile ?? tlsLayout(config.tlsDir ?? ".").tokens);
  const auth = new Authenticator({ tokens: tokensPath === undefined ? undefined : readTokensFile(tokensPath), insecure: config.insecure });
  const reloadTokens = () => {
    if (tokensPath === undefined) return undefined;
    const tokens = readTokensFile(tokensPath);
    auth.replaceTokens(tokens);
    log(`reloaded ${tokens.size} client token(s) from ${tokensPath}`);
    return { path: tokensPath, clients: tokens.size };
  };

  const server = new grpc.Server({ ...CHANNEL_OPTIONS, "grpc.max_concurrent_streams": 1000 });
  server.addService(jobServiceDefinition(), jobServiceHandlers(coordinator, auth, metrics, log));
  server.addService(nodeServiceDefinition(), nodeServiceHandlers(coordinator, auth, metrics, log));
  const health = new HealthImplementation({ "": "SERVING", [JOB_SERVICE_NAME]: "SERVING", [NODE_SERVICE_NAME]: "SERVING" });
  health.addToServer(server);
  new ReflectionService(loadDatalabProto().packageDefinition).addToServer(server);

  let port: number;
  try {
    port = await bind(
      server,
      `${config.listenHost.includes(":") ? `[${config.listenHost}]` : config.listenHost}:${config.listenPort}`,
      serverCredentials(config),
    );
  } catch (error) {
    store.close();
    lock.release();
    throw new Error(
      `cannot listen on ${config.listenHost}:${config.listenPort} (${error instanceof Error ? error.message : String(error)}); pick another --listen address.`,
      { cause: error },
    );
  }
  coordinator.start();
  const retention =
    config.resultRetentionDays > 0 ? new ResultRetention({ store, chunks, retentionDays: config.resultRetentionDays, metrics, log }) : undefined;
  retention?.start();

  let metricsServer: HttpServer | undefined;
  let metricsPort: number | undefined;
  if (config.metricsPort !== undefined) {
    try {
      ({ server: metricsServer, port: metricsPort } = await serveMetrics(metrics.registry, config.metricsHost, config.metricsPort));
    } catch (error) {
      server.forceShutdown();
      retention?.stop();
      coordinator.stop();
      store.close();
      lock.release();
      throw new Error(
        `cannot serve metrics on ${config.metricsHost}:${config.metricsPort} (${error instanceof Error ? error.message : String(error)}); pick another --metrics-listen.`,
        { cause: error },
      );
    }
  }

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (graceSeconds = 10): Promise<void> => {
    shuttingDown ??= (async () => {
      for (const name of ["", JOB_SERVICE_NAME, NODE_SERVICE_NAME]) health.setStatus(name, "NOT_SERVING");
      retention?.stop();
      coordinator.stop();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceSeconds * 1000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      if (metricsServer !== undefined) {
        const closed = new Promise<void>((resolve) => metricsServer?.close(() => resolve()));
        metricsServer.closeAllConnections(); // scrapers keep connections alive
        await closed;
      }
      store.close();
      lock.release();
    })();
    return shuttingDown;
  };

  const host = config.listenHost.includes(":") ? `[${config.listenHost}]` : config.listenHost;
  return { coordinator, address: `${host}:${port}`, port, metricsPort, reloadTokens, retention, shutdown };
}
