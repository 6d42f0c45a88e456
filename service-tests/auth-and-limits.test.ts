/**
 * Who may call what, and what the coordinator does with bad messages, through real processes:
 * missing or unknown tokens (UNAUTHENTICATED), a node certificate on the client API and a client
 * token on the node API (PERMISSION_DENIED), one client's jobs invisible to another (NOT_FOUND),
 * plaintext against TLS, oversize (RESOURCE_EXHAUSTED) and malformed (undecodable) messages and
 * invalid requests rejected while the coordinator keeps serving, health checking.
 * One cluster for the file: nothing here kills a process.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearerTokenInterceptor,
  connectJobService,
  createJobClient,
  createNodeClient,
  type JobServiceClient,
  readClientTls,
  readNodeTls,
  sha256Hex,
  tlsLayout,
  type UploadChunkRequest,
  type UploadChunkResponseOut,
  unaryCall,
} from "../proto/index.js";
import { type Cluster, startCluster } from "./cluster.js";
import { cancelJob, getJob, listAllJobs, submitJob, synthesisSpec } from "./job-calls.js";
import { TestProcesses } from "./process-harness.js";

const processes = new TestProcesses();
let cluster: Cluster;
const opened: grpc.Client[] = [];

beforeAll(async () => {
  cluster = await startCluster(processes, { nodes: ["node-a"] });
}, 90_000);

afterAll(async () => {
  for (const client of opened) client.close();
  cluster?.close();
  await processes.cleanup();
});

function caPem(): Buffer {
  return readClientTls(cluster.tlsDir, "alice").caPem;
}

function jobClientWith(credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): JobServiceClient {
  const client = createJobClient(cluster.address, credentials, options);
  opened.push(client);
  return client;
}

async function stillServing(): Promise<void> {
  const page = await listAllJobs(cluster.jobClient());
  expect(Array.isArray(page)).toBe(true);
}

describe("authentication and roles", () => {
  it("rejects JobService calls without a token or with an unknown one: UNAUTHENTICATED", async () => {
    const anonymous = jobClientWith(grpc.credentials.createSsl(caPem()));
    await expect(getJob(anonymous, "job-x")).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const stranger = jobClientWith(grpc.credentials.createSsl(caPem()), { interceptors: [bearerTokenInterceptor("not-a-token-anyone-issued")] });
    await expect(submitJob(stranger, synthesisSpec())).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const cli = processes.start("datalab get", ["get", "job-x", "--coordinator", cluster.address, "--tls-dir", cluster.tlsDir, "--token", "wrong"]);
    expect((await cli.exited).code).toBe(3);
    expect(cli.lines.join("\n")).toMatch(/did not accept the token/);
  });

  it("refuses a node certificate on JobService and a client token on NodeService: PERMISSION_DENIED", async () => {
    const node = readNodeTls(cluster.tlsDir, "node-a");
    const nodeAsClient = jobClientWith(grpc.credentials.createSsl(node.caPem, node.keyPem, node.certPem));
    await expect(listAllJobs(nodeAsClient)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });

    const clientAsNode = createNodeClient(cluster.address, grpc.credentials.createSsl(caPem()), {
      interceptors: [bearerTokenInterceptor(readClientTls(cluster.tlsDir, "alice").token)],
    });
    opened.push(clientAsNode);
    await expect(unaryCall(clientAsNode.registerNode.bind(clientAsNode), { nodeId: "node-a" })).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const anonymousNode = createNodeClient(cluster.address, grpc.credentials.createSsl(caPem()));
    opened.push(anonymousNode);
    await expect(unaryCall(anonymousNode.leaseTask.bind(anonymousNode), { nodeId: "node-a", waitSeconds: 0 })).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
    });
    // A node cannot pretend to be another node.
    const nodeA = cluster.nodeClient("node-a");
    await expect(unaryCall(nodeA.registerNode.bind(nodeA), { nodeId: "node-b", capabilities: { cpuCores: 1 } })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
  });

  it("shows and cancels a client's jobs only to that client", async () => {
    const alice = cluster.jobClient("alice");
    const bob = cluster.jobClient("bob");
    const { job } = await submitJob(alice, synthesisSpec({ gpus: 4 }));
    await expect(getJob(bob, job.jobId)).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(cancelJob(bob, job.jobId)).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    expect((await listAllJobs(bob)).map((j) => j.jobId)).not.toContain(job.jobId);
    expect((await cancelJob(alice, job.jobId)).state).toBe("JOB_STATE_CANCELLED");
  });

  it("does not talk plaintext to a TLS coordinator", async () => {
    const plaintext = jobClientWith(grpc.credentials.createInsecure(), {
      interceptors: [bearerTokenInterceptor(readClientTls(cluster.tlsDir, "alice").token)],
    });
    await expect(unaryCall(plaintext.getJob.bind(plaintext), { jobId: "job-x" }, 3)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(tlsLayout(cluster.tlsDir).caCert).toMatch(/ca\.crt$/);
  });
});

describe("bad messages", () => {
  it("rejects an oversize chunk with RESOURCE_EXHAUSTED and keeps serving", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    // This client allows itself to send 8 MiB, so the limit that bites is the coordinator's.
    const client = jobClientWith(grpc.credentials.createSsl(caPem()), {
      interceptors: [bearerTokenInterceptor(readClientTls(cluster.tlsDir, "alice").token)],
      "grpc.max_send_message_length": 8 * 1024 * 1024,
    });
    await expect(
      unaryCall<UploadChunkRequest, UploadChunkResponseOut>(client.uploadChunk.bind(client), { sha256: sha256Hex(big), data: big }),
    ).rejects.toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
    });
    await stillServing();
  });

  it("rejects an undecodable message and invalid requests with the right codes, and keeps serving", async () => {
    const alice = cluster.jobClient("alice");
    const garbage = await new Promise<grpc.ServiceError | null>((resolve) => {
      alice.makeUnaryRequest(
        "/datalab.v1.JobService/SubmitJob",
        (value: Buffer) => value,
        (value: Buffer) => value,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        new grpc.Metadata(),
        { deadline: new Date(Date.now() + 5_000) },
        (error) => resolve(error),
      );
    });
    expect(garbage?.code).toBeOneOf([grpc.status.INTERNAL, grpc.status.INVALID_ARGUMENT]);
    await stillServing();

    await expect(submitJob(alice, synthesisSpec({ rows: 0 }))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(submitJob(alice, synthesisSpec({ input: "vega:../../etc/passwd" }))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(submitJob(alice, synthesisSpec(), "k".repeat(500))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const missing = synthesisSpec();
    missing.input = {
      upload: {
        name: "x.csv",
        mediaType: "text/csv",
        sizeBytes: 3,
        sha256: sha256Hex(Buffer.from("abc")),
        chunks: [{ sha256: sha256Hex(Buffer.from("abc")), sizeBytes: 3 }],
      },
    };
    await expect(submitJob(alice, missing)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    const corrupt = Buffer.from("hello");
    await expect(
      unaryCall<UploadChunkRequest, UploadChunkResponseOut>(alice.uploadChunk.bind(alice), { sha256: sha256Hex(Buffer.from("other")), data: corrupt }),
    ).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    await expect(getJob(alice, "job-does-not-exist")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await stillServing();
  });

  it("re-reads the tokens file on SIGHUP: a revoked token is refused at once, a new one accepted, a broken file changes nothing", async () => {
    const coordinator = cluster.coordinator!;
    const tokensPath = tlsLayout(cluster.tlsDir).tokens;
    const original = readFileSync(tokensPath, "utf8");
    const bob = cluster.jobClient("bob");
    await listAllJobs(bob);
    try {
      // Revoke bob, add carol.
      const file = JSON.parse(original) as { version: number; clients: { name: string; tokenSha256: string }[] };
      const carolToken = "carol-token-issued-by-hand";
      const edited = {
        version: 1,
        clients: [...file.clients.filter((c) => c.name !== "bob"), { name: "carol", tokenSha256: sha256Hex(Buffer.from(carolToken)) }],
      };
      writeFileSync(tokensPath, JSON.stringify(edited));
      let from = coordinator.lines.length;
      coordinator.kill("SIGHUP");
      await coordinator.waitForLine(/reloaded \d+ client token\(s\)/, 10_000, from);
      await expect(listAllJobs(bob)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      const carol = connectJobService({ address: cluster.address, token: carolToken, caPem: caPem(), serverNameOverride: "localhost" });
      opened.push(carol);
      expect(await listAllJobs(carol)).toEqual([]);
      // A file that does not parse: the coordinator says so and keeps carol's token.
      writeFileSync(tokensPath, "{ not json");
      from = coordinator.lines.length;
      coordinator.kill("SIGHUP");
      await coordinator.waitForLine(/SIGHUP: kept the tokens in force: cannot read the tokens file/, 10_000, from);
      expect(await listAllJobs(carol)).toEqual([]);
    } finally {
      writeFileSync(tokensPath, original);
      const from = coordinator.lines.length;
      coordinator.kill("SIGHUP");
      await coordinator.waitForLine(/reloaded \d+ client token\(s\)/, 10_000, from);
    }
    await listAllJobs(bob);
  });

  it("answers grpc.health.v1 Check with SERVING", async () => {
    const Health = grpc.makeClientConstructor(healthService as unknown as grpc.ServiceDefinition, "Health");
    const health = new Health(cluster.address, grpc.credentials.createSsl(caPem()));
    opened.push(health);
    const status = await new Promise<{ status: string }>((resolve, reject) =>
      (health as unknown as { Check: (req: object, cb: (e: Error | null, r: { status: string }) => void) => void }).Check({ service: "" }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
    expect(status.status).toBe("SERVING");
  });
});
