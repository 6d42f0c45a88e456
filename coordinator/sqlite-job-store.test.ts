import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { JobSpecOut } from "../proto/index.js";
import { AbortedError, AlreadyExistsError, FailedPreconditionError } from "./errors.js";
import type { NewJob } from "./job-store.js";
import { applyMigrations, MIGRATIONS, MigrationError, schemaVersion } from "./migrations.js";
import type { NodeCapacity } from "./scheduler.js";
import { SqliteJobStore } from "./sqlite-job-store.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GiB = 1024 ** 3;
const spec = { kind: "JOB_KIND_SYNTHESIS", rows: 10, model: "gaussian_copula" } as unknown as JobSpecOut;
let counter = 0;
function newJob(overrides: Partial<NewJob> = {}): NewJob {
  counter++;
  return {
    jobId: `job-${counter}`,
    owner: "alice",
    idempotencyKey: `key-${counter}`,
    spec,
    specSha256: "a".repeat(64),
    kind: "JOB_KIND_SYNTHESIS",
    demand: { gpuCount: 0, gpuMemoryBytes: 0, cpuCores: 1, memoryBytes: 0 },
    maxAttempts: 2,
    ...overrides,
  };
}
const cpuNode: NodeCapacity = { nodeId: "cpu-1", gpus: [], cpuCores: 2, memoryBytes: 4 * GiB, kinds: [], maxConcurrentTasks: 4 };
const gpuNode: NodeCapacity = {
  nodeId: "gpu-1",
  gpus: [{ index: 0, name: "H100", memoryBytes: 80 * GiB, uuid: "" }],
  cpuCores: 8,
  memoryBytes: 64 * GiB,
  kinds: [],
  maxConcurrentTasks: 4,
};

describe("migrations", () => {
  it("applies each migration once and refuses a database from a newer version", () => {
    const path = join(dir, "migrate.sqlite");
    const db = new Database(path);
    expect(applyMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(applyMigrations(db)).toEqual([]);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    // A later migration runs in its own transaction: a failing one leaves no trace.
    const broken = [...MIGRATIONS, { version: 99, name: "broken", sql: "CREATE TABLE extra (x INTEGER); SELECT * FROM no_such_table;" }];
    expect(() => applyMigrations(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    db.prepare("INSERT INTO schema_migrations (version, name, applied_time_ms) VALUES (1000, 'future', 0)").run();
    expect(() => applyMigrations(db)).toThrow(MigrationError);
    db.close();
  });
});

describe("migration 4 (result retention)", () => {
  it("upgrades a version-3 database: existing owners and small chunks count as recorded at the upgrade", () => {
    const db = new Database(join(dir, "upgrade.sqlite"));
    applyMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 3),
    );
    db.prepare("INSERT INTO chunk_owners (owner, sha256) VALUES ('client:alice', ?)").run("a".repeat(64));
    db.prepare("INSERT INTO small_chunks (sha256, size_bytes, data) VALUES (?, 1, x'00')").run("b".repeat(64));
    const before = Date.now();
    expect(applyMigrations(db)).toEqual([4, 5, 6]); // 6: federated synthesis state; 5: federation rounds
    const owner = db.prepare("SELECT added_time_ms AS t FROM chunk_owners").get() as { t: number };
    const chunk = db.prepare("SELECT stored_time_ms AS t FROM small_chunks").get() as { t: number };
    for (const { t } of [owner, chunk]) expect(Math.abs(t - before)).toBeLessThan(60_000);
    expect(db.prepare("SELECT results_expired_time_ms AS t FROM jobs").all()).toEqual([]);
    db.close();
  });
});

describe("SqliteJobStore", () => {
  const store = new SqliteJobStore(join(dir, "jobs.sqlite"));
  afterAll(() => store.close());

  it("uses WAL and group-commits: concurrent callers share fsyncs, each waits for one that began after its commit", async () => {
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    store.submitJob(newJob({ owner: "wal" }), 1);
    const before = store.walSync!.syncCount;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      store.submitJob(newJob({ owner: "wal" }), 1);
      waits.push(store.durable());
    }
    await Promise.all(waits);
    const used = store.walSync!.syncCount - before;
    // The first caller starts an fsync; all later ones share the single next one.
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(2);
    // A caller arriving after those finished gets a fresh fsync.
    await store.durable();
    expect(store.walSync!.syncCount - before).toBe(used + 1);
  });

  it("deduplicates submits by (owner, idempotency key)", () => {
    const job = newJob();
    const first = store.submitJob(job, 1000);
    expect(first.created).toBe(true);
    const again = store.submitJob({ ...job, jobId: "job-other" }, 2000);
    expect(again.created).toBe(false);
    expect(again.job.jobId).toBe(job.jobId);
    expect(() => store.submitJob({ ...job, jobId: "job-x", specSha256: "b".repeat(64) }, 3000)).toThrow(AlreadyExistsError);
    expect(store.submitJob({ ...job, jobId: "job-bob", owner: "bob" }, 3000).created).toBe(true);
  });

  it("walks a job through lease, progress and completion; a stale lease cannot complete", () => {
    const s = new SqliteJobStore(":memory:");
    const job = s.submitJob(newJob({ demand: { gpuCount: 1, gpuMemoryBytes: 10 * GiB, cpuCores: 2, memoryBytes: 0 } }), 10_000).job;
    // A CPU node never gets a GPU job.
    expect(s.leaseJob(cpuNode, "lease-cpu", 30, 10_001)?.jobId).not.toBe(job.jobId);
    const leased = s.leaseJob(gpuNode, "lease-1", 30, 10_002)!;
    expect(leased.jobId).toBe(job.jobId);
    expect(leased.state).toBe("JOB_STATE_LEASED");
    expect(leased.attempt).toBe(1);
    expect(leased.gpuIndexes).toEqual([0]);
    expect(leased.leaseDeadlineMs).toBe(40_002);
    const running = s.reportProgress(job.jobId, "lease-1", "gpu-1", { fraction: 0.5, phase: "fit", message: "", updateTimeMs: 11_000 }, 30, 11_000);
    expect(running.state).toBe("JOB_STATE_RUNNING");
    expect(running.leaseDeadlineMs).toBe(41_000);
    expect(() => s.reportProgress(job.jobId, "lease-other", "gpu-1", running.progress, 30, 11_000)).toThrow(AbortedError);
    expect(() => s.completeJob(job.jobId, "lease-1", "cpu-1", [], "", 12_000)).toThrow(AbortedError);
    const done = s.completeJob(job.jobId, "lease-1", "gpu-1", [], "{}", 12_000);
    expect(done.alreadyAccepted).toBe(false);
    expect(done.job.state).toBe("JOB_STATE_SUCCEEDED");
    expect(s.completeJob(job.jobId, "lease-1", "gpu-1", [], "{}", 12_500).alreadyAccepted).toBe(true);
    expect(s.succeededAttempts(job.jobId)).toBe(1);
    expect(() => s.cancelJob(job.jobId, "late", 13_000)).toThrow(FailedPreconditionError);
    s.close();
  });

  it("re-queues failed attempts until max_attempts, and a release does not use an attempt", () => {
    const jobId = store.submitJob(newJob({ owner: "carol" }), 20_000).job.jobId;
    const drain = (node: NodeCapacity, lease: string, now: number) => {
      // Lease until this job comes up (other tests' queued jobs come first).
      for (;;) {
        const got = store.leaseJob(node, `${lease}-${now}-${Math.random()}`, 30, now);
        if (got === undefined) throw new Error("job never leased");
        if (got.jobId === jobId) return got;
        store.cancelJob(got.jobId, "not this test's", now);
      }
    };
    const first = drain(cpuNode, "a", 20_001);
    const released = store.releaseJob(jobId, first.leaseId!, "cpu-1", "node shutting down", 20_002);
    expect(released.requeued).toBe(true);
    expect(released.job.attempt).toBe(0);
    const second = drain(cpuNode, "b", 20_003);
    expect(second.attempt).toBe(1);
    const failed = store.failAttempt(jobId, second.leaseId!, "cpu-1", "out of memory", true, 20_004);
    expect(failed.requeued).toBe(true);
    expect(failed.job.state).toBe("JOB_STATE_QUEUED");
    expect(failed.job.errorMessage).toBe("out of memory");
    const third = drain(cpuNode, "c", 20_005);
    expect(third.attempt).toBe(2);
    const final = store.failAttempt(jobId, third.leaseId!, "cpu-1", "out of memory again", true, 20_006);
    expect(final.requeued).toBe(false);
    expect(final.job.state).toBe("JOB_STATE_FAILED");
    expect(final.job.errorMessage).toMatch(/attempt 2 of 2/);
  });

  it("expires leases past their deadline and counts the attempt", () => {
    const jobId = store.submitJob(newJob({ owner: "dave", maxAttempts: 3 }), 30_000).job.jobId;
    let leased = store.leaseJob(cpuNode, "exp-1", 5, 30_001);
    while (leased !== undefined && leased.jobId !== jobId) {
      store.cancelJob(leased.jobId, "not this test's", 30_001);
      leased = store.leaseJob(cpuNode, `exp-${Math.random()}`, 5, 30_001);
    }
    expect(store.expireLeases(35_000)).toEqual([]);
    const expired = store.expireLeases(35_002);
    expect(expired.map((o) => o.job.jobId)).toEqual([jobId]);
    expect(expired[0]!.requeued).toBe(true);
    expect(expired[0]!.job.attempt).toBe(1);
    // Not leased again yet: the expired lease's late result is taken (lifecycle.test.ts runs the whole sequence)…
    expect(store.isLateCompletion(jobId, leased!.leaseId!, "cpu-1")).toBe(true);
    expect(store.isLateCompletion(jobId, leased!.leaseId!, "other-node")).toBe(false);
    // …but once the job is leased again, the old lease is refused.
    const again = store.leaseJob(cpuNode, "exp-again", 5, 35_003);
    expect(again?.jobId).toBe(jobId);
    expect(store.isLateCompletion(jobId, leased!.leaseId!, "cpu-1")).toBe(false);
    expect(() => store.completeJob(jobId, leased!.leaseId!, "cpu-1", [], "", 35_004)).toThrow(AbortedError);
  });

  it("places jobs by free resources: cores, GPU memory sharing and exclusive GPUs", () => {
    const s = new SqliteJobStore(":memory:");
    const small = (id: string, gpuMemoryBytes: number) =>
      s.submitJob(newJob({ jobId: id, demand: { gpuCount: 1, gpuMemoryBytes, cpuCores: 1, memoryBytes: 0 } }), 1);
    small("j-40a", 40 * GiB);
    small("j-40b", 40 * GiB);
    small("j-40c", 40 * GiB);
    expect(s.leaseJob(gpuNode, "l1", 30, 2)?.jobId).toBe("j-40a");
    expect(s.leaseJob(gpuNode, "l2", 30, 2)?.jobId).toBe("j-40b");
    // 80 GiB GPU is full: the third waits.
    expect(s.leaseJob(gpuNode, "l3", 30, 2)).toBeUndefined();
    s.failAttempt("j-40a", "l1", "gpu-1", "x", false, 3);
    expect(s.leaseJob(gpuNode, "l4", 30, 4)?.jobId).toBe("j-40c");
    s.close();
  });

  it("keeps everything across a reopen (restart)", () => {
    const path = join(dir, "restart.sqlite");
    const a = new SqliteJobStore(path);
    const job = a.submitJob(newJob(), 1).job;
    a.leaseJob(cpuNode, "lease-r", 10, 2);
    a.upsertNode({
      nodeId: "cpu-1",
      capacity: cpuNode,
      versions: {},
      hostname: "h",
      hpcJob: "",
      heartbeatIntervalSeconds: 5,
      registeredTimeMs: 1,
      lastSeenTimeMs: 2,
      status: "online",
    });
    const key = a.getOrCreateMeta("k", () => "v1");
    // No close(): simulate a crash by just opening a second handle after dropping the first.
    const b = new SqliteJobStore(path);
    expect(b.getJob(job.jobId)?.state).toBe("JOB_STATE_LEASED");
    expect(b.getNode("cpu-1")?.capacity.cpuCores).toBe(2);
    expect(b.getOrCreateMeta("k", () => "v2")).toBe(key);
    expect(b.expireLeases(20_000).map((o) => o.job.state)).toEqual(["JOB_STATE_QUEUED"]);
    a.close();
    b.close();
  });
});
