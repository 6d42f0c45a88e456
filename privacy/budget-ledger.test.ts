import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BudgetLedger } from "./budget-ledger.js";
import { BudgetExceededError, LedgerError } from "./errors.js";
import { DEFAULT_RDP_ORDERS, epsilonFromRdp, subsampledGaussianRdp } from "./rdp.js";
import { epsilonFromRho, rhoFromEpsilonDelta } from "./zcdp.js";

const here = dirname(fileURLToPath(import.meta.url));
let scratch: string;
let compiledLedgerUrl: string;

/**
 * Child processes need the ledger as JavaScript: transpile privacy/*.ts (type-stripping only) into
 * a scratch folder whose node_modules links to the repository's.
 */
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "datalab-ledger-"));
  const out = join(scratch, "compiled", "privacy");
  mkdirSync(out, { recursive: true });
  symlinkSync(resolve(here, "..", "node_modules"), join(scratch, "compiled", "node_modules"));
  for (const file of readdirSync(here)) {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
    const js = ts.transpileModule(readFileSync(join(here, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    writeFileSync(join(out, file.replace(/\.ts$/, ".js")), js);
  }
  writeFileSync(join(scratch, "compiled", "package.json"), JSON.stringify({ type: "module" }));
  compiledLedgerUrl = pathToFileURL(join(out, "budget-ledger.js")).href;
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function freshLedgerPath(name: string): string {
  const folder = mkdtempSync(join(scratch, `${name}-`));
  return join(folder, "ledger", "budget.sqlite");
}

/** A child process that reserves `attempts` times ρ each and prints how many fitted. */
function reserveInChild(path: string, worker: number, attempts: number, rho: number): Promise<number> {
  const script = `
    const { BudgetLedger } = await import(${JSON.stringify(compiledLedgerUrl)});
    const ledger = new BudgetLedger(${JSON.stringify(path)});
    let granted = 0;
    for (let i = 0; i < ${attempts}; i++) {
      try {
        ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "w${worker}-" + i, mechanism: "discrete Gaussian", cost: { rho: ${rho} } });
        granted++;
      } catch (error) {
        if (error.name !== "BudgetExceededError") throw error;
      }
    }
    process.stdout.write(String(granted));`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => (code === 0 ? resolvePromise(Number(stdout)) : reject(new Error(`worker ${worker} exited ${code}: ${stderr}`))));
  });
}

describe("budget ledger", () => {
  test("composes with the accountant, not by adding ε, and refuses an overdraft without writing anything", () => {
    const ledger = new BudgetLedger(freshLedgerPath("compose"));
    ledger.setBudget("clinic", "visits", { epsilon: 1, delta: 1e-6 });
    // Each job alone costs ε = 0.6 at δ = 1e-6; two compose to well under 1.2, so both fit in ε = 1.
    const rho = rhoFromEpsilonDelta(0.6, 1e-6);
    const first = ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "job-1", mechanism: "MST marginals", cost: { rho } });
    expect(first.epsilonAlone).toBeCloseTo(0.6, 6);
    ledger.commit(first.id);
    const second = ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "job-2", mechanism: "DP copula", cost: { rho } });
    const status = ledger.status("clinic", "visits");
    expect(status.epsilonCommittedAndReserved).toBeCloseTo(epsilonFromRho(2 * rho, 1e-6), 9);
    expect(status.epsilonCommittedAndReserved).toBeLessThan(1);
    expect(status.epsilonCommitted).toBeCloseTo(0.6, 6);
    expect(status.liveReservations).toBe(1);
    // A third does not fit: refused, and no entry is written.
    expect(() => ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "job-3", mechanism: "AIM", cost: { rho } })).toThrow(BudgetExceededError);
    expect(ledger.entries("clinic", "visits").map((e) => e.jobId)).toEqual(["job-1", "job-2"]);
    // Releasing the second makes room again.
    ledger.release(second.id);
    expect(ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "job-3", mechanism: "AIM", cost: { rho } }).state).toBe("reserved");
    ledger.close();
  });

  test("every entry says which job, which mechanism, when; settled entries cannot be settled again", () => {
    let clock = Date.parse("2026-12-02T10:00:00Z");
    const ledger = new BudgetLedger(freshLedgerPath("entries"), { now: () => clock });
    ledger.setBudget("bank", "loans", { epsilon: 5, delta: 1e-9 });
    const entry = ledger.reserve({
      holder: "bank",
      dataset: "loans",
      jobId: "job-42",
      mechanism: "DP-SGD",
      cost: { subsampledGaussian: { samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000 } },
    });
    clock += 5000;
    const committed = ledger.commit(entry.id);
    expect(committed).toMatchObject({
      jobId: "job-42",
      mechanism: "DP-SGD",
      state: "committed",
      rho: null,
      reservedAt: "2026-12-02T10:00:00.000Z",
      settledAt: "2026-12-02T10:00:05.000Z",
    });
    const curve = DEFAULT_RDP_ORDERS.map((order) => 1000 * subsampledGaussianRdp(0.01, 1.1, order));
    expect(committed.epsilonAlone).toBeCloseTo(epsilonFromRdp(DEFAULT_RDP_ORDERS, curve, 1e-9).epsilon, 9);
    // A zCDP entry composes with the DP-SGD curve order by order (αρ added at each order α).
    ledger.reserve({ holder: "bank", dataset: "loans", jobId: "job-43", mechanism: "MST", cost: { rho: 0.05 } });
    const mixed = curve.map((value, i) => value + DEFAULT_RDP_ORDERS[i]! * 0.05);
    expect(ledger.status("bank", "loans").epsilonCommittedAndReserved).toBeCloseTo(epsilonFromRdp(DEFAULT_RDP_ORDERS, mixed, 1e-9).epsilon, 9);
    expect(() => ledger.commit(entry.id)).toThrow(/is committed, not reserved/);
    expect(() => ledger.release(entry.id)).toThrow(LedgerError);
    expect(() => ledger.commit(9999)).toThrow(/no ledger entry 9999/);
    expect(() => ledger.reserve({ holder: "bank", dataset: "cards", jobId: "j", mechanism: "m", cost: { rho: 0.1 } })).toThrow(/no budget on dataset "cards"/);
    ledger.close();
  });

  test("reservations expire only when the holder set an expiry; an expired one commits only if it still fits", () => {
    let clock = 1_000_000;
    const path = freshLedgerPath("expiry");
    const ledger = new BudgetLedger(path, { now: () => clock });
    ledger.setBudget("clinic", "visits", { epsilon: 1, delta: 1e-6, reservationExpirySeconds: 60 });
    const rho = rhoFromEpsilonDelta(0.9, 1e-6);
    const stale = ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "crashed", mechanism: "MST", cost: { rho } });
    expect(() => ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "next", mechanism: "MST", cost: { rho } })).toThrow(BudgetExceededError);
    clock += 61_000;
    const next = ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "next", mechanism: "MST", cost: { rho } });
    // The crashed job comes back after its expiry: its budget went to "next", so it may not commit.
    expect(() => ledger.commit(stale.id)).toThrow(/expired and no longer fits/);
    ledger.release(next.id);
    expect(ledger.commit(stale.id).state).toBe("committed");
    ledger.close();
  });

  test("restart-safe: a reservation of a process killed mid-job still counts after reopening", async () => {
    const path = freshLedgerPath("restart");
    const setup = new BudgetLedger(path);
    setup.setBudget("clinic", "visits", { epsilon: 1, delta: 1e-6 });
    setup.close();
    const script = `
      const { BudgetLedger } = await import(${JSON.stringify(compiledLedgerUrl)});
      const ledger = new BudgetLedger(${JSON.stringify(path)});
      ledger.reserve({ holder: "clinic", dataset: "visits", jobId: "doomed", mechanism: "MST", cost: { rho: ${rhoFromEpsilonDelta(0.8, 1e-6)} } });
      process.stdout.write("reserved");
      setInterval(() => {}, 1000);`;
    const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolvePromise) => child.stdout!.once("data", () => resolvePromise()));
    child.kill("SIGKILL");
    await new Promise((resolvePromise) => child.once("exit", resolvePromise));
    const reopened = new BudgetLedger(path);
    const status = reopened.status("clinic", "visits");
    expect(status.liveReservations).toBe(1);
    expect(status.epsilonCommittedAndReserved).toBeCloseTo(0.8, 6);
    expect(() =>
      reopened.reserve({ holder: "clinic", dataset: "visits", jobId: "j", mechanism: "MST", cost: { rho: rhoFromEpsilonDelta(0.7, 1e-6) } }),
    ).toThrow(BudgetExceededError);
    reopened.close();
  });

  test("never overdrawn: 4 processes racing 25 reservations each grant exactly what one process would", async () => {
    const rho = rhoFromEpsilonDelta(1, 1e-6) / 37.5;
    // How many fit, reserving one at a time in this process.
    const sequential = new BudgetLedger(freshLedgerPath("sequential"));
    sequential.setBudget("clinic", "visits", { epsilon: 1, delta: 1e-6 });
    let fit = 0;
    for (;;) {
      try {
        sequential.reserve({ holder: "clinic", dataset: "visits", jobId: `s${fit}`, mechanism: "m", cost: { rho } });
        fit++;
      } catch {
        break;
      }
    }
    sequential.close();
    expect(fit).toBe(37);

    const path = freshLedgerPath("race");
    const setup = new BudgetLedger(path);
    setup.setBudget("clinic", "visits", { epsilon: 1, delta: 1e-6 });
    setup.close();
    const granted = await Promise.all([0, 1, 2, 3].map((worker) => reserveInChild(path, worker, 25, rho)));
    expect(granted.reduce((a, b) => a + b, 0)).toBe(fit);
    const ledger = new BudgetLedger(path);
    expect(ledger.status("clinic", "visits").epsilonCommittedAndReserved).toBeLessThanOrEqual(1);
    expect(ledger.entries("clinic", "visits")).toHaveLength(fit);
    ledger.close();
  });

  test("the file is 0600 in a 0700 folder; a folder others can read is refused", () => {
    const path = freshLedgerPath("modes");
    new BudgetLedger(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    const open = mkdtempSync(join(scratch, "open-"));
    mkdirSync(join(open, "shared"), { mode: 0o755 });
    expect(() => new BudgetLedger(join(open, "shared", "budget.sqlite"))).toThrow(/readable by others.*chmod 700/);
  });
});
