/**
 * The built CLI as a whole process (`node bin/datalab.js`, after `npm run build`): real signals
 * mid-write, a reader that closes the pipe, and service start-up failures.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";

const bin = new URL("../bin/datalab.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "datalab-process-exit-"));
const children: ChildProcess[] = [];
afterAll(() => {
  // A child that outlived its test (a regression that hangs, as the /proc data-dir did) is killed.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});
const seattle = new URL("../benchmarks/fixtures/sdmetrics/seattle-weather/real.csv", import.meta.url).pathname;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], stdout: "pipe" | "ignore" = "pipe"): { child: ChildProcess; ended: Promise<Ended> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ["ignore", stdout, "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const ended = new Promise<Ended>((resolve) => child.once("close", (code, signal) => resolve({ code, signal, stdout: out, stderr: err })));
  return { child, ended };
}

const tempFiles = (folder: string) => readdirSync(folder).filter((name) => name.endsWith(".tmp"));

/** Resolves once a temp file in `folder` has at least `bytes` bytes (the write is under way). */
async function tempFileGrows(folder: string, bytes: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`datalab exited (${child.exitCode}) before writing ${bytes} bytes`);
    const sizes = tempFiles(folder).map((name) => {
      try {
        return statSync(join(folder, name)).size;
      } catch {
        return 0;
      }
    });
    if (sizes.some((size) => size >= bytes)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no temp file of ${bytes} bytes in ${folder} within 60 s`);
}

const model = join(dir, "model.json");

describe("interrupted writes leave no temp files", () => {
  test("setup: a model to sample from", async () => {
    const { ended } = start(["synth", seattle, "--out", join(dir, "small.csv"), "--model-out", model, "--no-score", "--rows", "10"]);
    expect((await ended).code).toBe(0);
  });
  test.each([
    ["SIGINT", "big.csv", 130],
    ["SIGTERM", "big.parquet", 143],
    ["SIGTERM", "big.ndjson", 143],
  ] as const)(
    "%s while sampling to %s: exit %d, no temp file, no output",
    async (signal, name, exitCode) => {
      const folder = mkdtempSync(join(dir, "out-"));
      const { child, ended } = start(["sample", model, "--rows", "1e7", "--out", join(folder, name)]);
      // CSV/NDJSON: the temp file grows as rows come. Parquet: DuckDB stages ~128 MiB of rows and
      // writes them as a part file, then stages the next: wait until a part is on disk.
      await tempFileGrows(folder, 1 << 20, child);
      child.kill(signal);
      const result = await ended;
      expect(result.code).toBe(exitCode);
      expect(result.stderr).toMatch(new RegExp(`stopped by ${signal}`));
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(folder)).toEqual([]);
    },
    120_000,
  );
});

describe("a closed stdout", () => {
  test("a reader that closes the pipe early ends the command quietly (exit 141, no stack trace)", async () => {
    const { child, ended } = start(["schema", seattle]);
    child.stdout?.destroy();
    const result = await ended;
    expect(result.code).toBe(141);
    expect(result.stderr).toBe("");
  });
});

describe("coordinator start-up failures", () => {
  test("--data-dir under /proc fails at once with one line (it used to spin at 100% CPU)", async () => {
    const started = Date.now();
    const { child, ended } = start(["coordinator", "--insecure", "--data-dir", "/proc/datalab-x", "--listen", "127.0.0.1:0", "--metrics-listen", "none"]);
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const result = await ended;
    clearTimeout(guard);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^datalab coordinator: --data-dir: cannot create the folder \/proc\/datalab-x \(ENOENT/m);
  });
  test("a port in use gives one error line, no grpc log line", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { ended } = start([
        "coordinator",
        "--insecure",
        "--data-dir",
        join(dir, "coordinator"),
        "--listen",
        `127.0.0.1:${port}`,
        "--metrics-listen",
        "none",
      ]);
      const result = await ended;
      expect(result.code).toBe(1);
      const lines = result.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("WARNING:"));
      expect(lines).toEqual([
        `datalab coordinator: cannot listen on 127.0.0.1:${port} (EADDRINUSE): another process is listening there; stop it or pick another port (--listen).`,
      ]);
    } finally {
      taken.close();
    }
  });
});
