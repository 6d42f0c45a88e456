import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ResultSpool, type SpooledOutcome, SpoolError } from "./result-spool.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function outcome(taskId: string, finishedAtUnixMs: number): SpooledOutcome {
  return {
    format: "datalab-node-outcome",
    version: 1,
    taskId,
    jobId: `job-${taskId}`,
    leaseId: `lease-${taskId}`,
    jobKind: "synthesis",
    outcome: "succeeded",
    files: [{ kind: "table", path: "/x/synthetic.csv", name: "synthetic.csv", mediaType: "text/csv" }],
    summaryJson: "{}",
    errorMessage: "",
    retryable: false,
    durationSeconds: 1.5,
    finishedAtUnixMs,
  };
}

describe("ResultSpool", () => {
  it("keeps outcomes across a new instance (a restarted agent) until removed", async () => {
    const workDir = await mkdtemp(join(tmpdir(), "spool-"));
    dirs.push(workDir);
    const spool = new ResultSpool(workDir);
    await spool.open();
    await spool.put(outcome("job-a/2", 20));
    await spool.put(outcome("t1", 10));
    const reopened = new ResultSpool(workDir);
    await reopened.open();
    expect((await reopened.pending()).map((o) => o.taskId)).toEqual(["t1", "job-a/2"]);
    await reopened.remove("t1");
    expect((await reopened.pending()).map((o) => o.taskId)).toEqual(["job-a/2"]);
    // No temp files are left behind by the atomic write.
    expect((await readdir(spool.dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("moves a torn entry aside instead of failing forever", async () => {
    const workDir = await mkdtemp(join(tmpdir(), "spool-"));
    dirs.push(workDir);
    const spool = new ResultSpool(workDir);
    await spool.open();
    await writeFile(join(spool.dir, "torn.json"), '{"format":"datalab-node-out');
    await spool.put(outcome("ok", 1));
    expect((await spool.pending()).map((o) => o.taskId)).toEqual(["ok"]);
    expect(await readdir(spool.dir)).toContain("torn.json.corrupt");
  });

  it("refuses task ids that cannot be file names", async () => {
    const spool = new ResultSpool(tmpdir());
    await expect(spool.put(outcome("..", 1))).rejects.toThrow(SpoolError);
  });

  it("writes an output still in memory to its path before spooling, and keeps no bytes in the entry", async () => {
    const workDir = await mkdtemp(join(tmpdir(), "spool-"));
    dirs.push(workDir);
    const spool = new ResultSpool(workDir);
    await spool.open();
    const path = join(workDir, "tasks", "job-m%2F1", "synthetic.csv");
    const data = Buffer.from("a,b\n1,2\n");
    await spool.put({ ...outcome("job-m/1", 5), files: [{ kind: "table", path, name: "synthetic.csv", mediaType: "text/csv", data }] });
    expect((await readFile(path)).equals(data)).toBe(true);
    const [entry] = await spool.pending();
    expect(entry?.files).toEqual([{ kind: "table", path, name: "synthetic.csv", mediaType: "text/csv" }]);
  });
});
