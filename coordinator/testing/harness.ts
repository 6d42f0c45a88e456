/**
 * Test harness (used by coordinator/*.test.ts only): a coordinator on 127.0.0.1:0 with a fresh
 * data dir and a fresh local CA, plus clients for a named API client or node.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectJobService, connectNodeService, type JobServiceClient, type NodeServiceClient, readClientTls, readNodeTls } from "../../proto/index.js";
import { issueCertificates } from "../certs.js";
import type { CoordinatorConfig } from "../config.js";
import { type RunningCoordinator, startCoordinator } from "../server.js";

export interface Harness {
  dir: string;
  tlsDir: string;
  config: CoordinatorConfig;
  running: RunningCoordinator;
  jobClient(name: string): JobServiceClient;
  nodeClient(name: string): NodeServiceClient;
  restart(): Promise<void>;
  close(): Promise<void>;
  logs: string[];
}

export async function startHarness(options: { nodes?: string[]; clients?: string[]; config?: Partial<CoordinatorConfig> } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "datalab-coord-"));
  const tlsDir = join(dir, "certs");
  await issueCertificates({ outDir: tlsDir, nodes: options.nodes ?? ["node-a", "node-b"], clients: options.clients ?? ["alice", "bob"] });
  const config: CoordinatorConfig = {
    listenHost: "127.0.0.1",
    listenPort: 0,
    metricsHost: "127.0.0.1",
    metricsPort: 0,
    dataDir: join(dir, "data"),
    tlsDir,
    tokensFile: undefined,
    insecure: false,
    leaseSeconds: 30,
    heartbeatIntervalSeconds: 5,
    maxAttempts: 3,
    sqliteSynchronous: "NORMAL",
    maxChunkBytes: 2 * 1024 * 1024,
    resultRetentionDays: 0,
    version: "test",
    ...options.config,
  };
  const logs: string[] = [];
  const clients: { close(): void }[] = [];
  const harness: Harness = {
    dir,
    tlsDir,
    config,
    logs,
    running: await startCoordinator(config, (line) => logs.push(line)),
    jobClient(name) {
      const tls = readClientTls(tlsDir, name);
      const client = connectJobService({ address: `127.0.0.1:${harness.running.port}`, token: tls.token, caPem: tls.caPem });
      clients.push(client);
      return client;
    },
    nodeClient(name) {
      const client = connectNodeService({ address: `127.0.0.1:${harness.running.port}`, tls: readNodeTls(tlsDir, name) });
      clients.push(client);
      return client;
    },
    async restart() {
      await harness.running.shutdown(1);
      harness.running = await startCoordinator({ ...config, listenPort: harness.running.port }, (line) => logs.push(line));
    },
    async close() {
      for (const client of clients) client.close();
      await harness.running.shutdown(1);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
