/**
 * Real processes for the integration tests: `node bin/datalab.js …` children on 127.0.0.1,
 * their stdout/stderr captured line by line so a test can wait for "listening on …", and a
 * registry that kills every child a test started (afterEach), so no test leaves orphans.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The checkout: the nearest folder above this module with bin/datalab.js (from source or dist/). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "bin", "datalab.js")) && existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no datalab checkout above ${from}`);
  }
}

export const repoRoot = findRepoRoot(import.meta.dirname);
export const datalabBin = join(repoRoot, "bin", "datalab.js");

export class ChildExitedError extends Error {
  override readonly name = "ChildExitedError";
}

export class DatalabProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  #waiters: Array<{ pattern: RegExp; resolve: (match: RegExpExecArray) => void; reject: (error: Error) => void; from: number }> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.name = name;
    // DATALAB_CHILD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the children:
    // Node refuses --cpu-prof in NODE_OPTIONS.
    const nodeArgs = (process.env["DATALAB_CHILD_NODE_ARGS"] ?? "").split(" ").filter((arg) => arg !== "");
    this.child = spawn(process.execPath, [...nodeArgs, datalabBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let pending = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => {
        pending += text;
        let newline = pending.indexOf("\n");
        while (newline >= 0) {
          this.#addLine(pending.slice(0, newline));
          pending = pending.slice(newline + 1);
          newline = pending.indexOf("\n");
        }
      });
    }
    this.exited = new Promise((resolveExit) => {
      this.child.once("exit", (code, signal) => {
        const error = new ChildExitedError(
          `${name} exited (code ${code}, signal ${signal}) before printing the expected line; its output:\n${this.lines.slice(-30).join("\n")}`,
        );
        for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
        resolveExit({ code, signal });
      });
    });
  }

  #addLine(line: string): void {
    this.lines.push(line);
    if (process.env["DATALAB_TEST_ECHO"]) process.stderr.write(`[${this.name}] ${line}\n`);
    this.#waiters = this.#waiters.filter((waiter) => {
      const match = waiter.pattern.exec(line);
      if (match) waiter.resolve(match);
      return !match;
    });
  }

  /** Resolves on the first line (already printed or future) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs = 20_000, fromLine = 0): Promise<RegExpExecArray> {
    for (const line of this.lines.slice(fromLine)) {
      const match = pattern.exec(line);
      if (match) return Promise.resolve(match);
    }
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(new ChildExitedError(`${this.name} already exited; its output:\n${this.lines.slice(-30).join("\n")}`));
    }
    return new Promise((resolveMatch, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms; its output:\n${this.lines.slice(-30).join("\n")}`));
      }, timeoutMs);
      const done = (match: RegExpExecArray) => {
        clearTimeout(timer);
        resolveMatch(match);
      };
      this.#waiters.push({
        pattern,
        from: fromLine,
        resolve: done,
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/** Every process and temp dir a test made; `cleanup()` in afterEach removes them all. */
export class TestProcesses {
  readonly #processes: DatalabProcess[] = [];
  readonly #dirs: string[] = [];

  start(name: string, args: string[], env: NodeJS.ProcessEnv = {}): DatalabProcess {
    const child = new DatalabProcess(name, args, env);
    this.#processes.push(child);
    return child;
  }

  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `datalab-${prefix}-`));
    this.#dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.#processes.splice(0).map((child) => child.stop(2_000)));
    await Promise.all(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** A port that was free a moment ago (for a restart on the same port; otherwise prefer port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? "" : `; last error: ${String(lastError)}`}`);
}
