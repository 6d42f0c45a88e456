/**
 * The privacy-budget ledger: per data holder and dataset, what has been spent and what is reserved,
 * in one SQLite file.
 *
 * - Reserve before work, commit or release after. A reservation is checked against the holder's
 *   budget inside a `BEGIN IMMEDIATE` transaction (one writer at a time across processes), so
 *   concurrent jobs can never overdraw it.
 * - Composition is by the accountant, not by adding ε: each entry stores its RDP curve at fixed
 *   orders (a ρ-zCDP cost is the curve αρ; the ρ itself is kept too) and the curves of all live
 *   entries are added, then converted to ε at the holder's δ (Balle et al. 2020 Thm 21 over the
 *   orders; when every entry is zCDP, also CKS 2020 Cor. 13 on the summed ρ — the smaller wins).
 * - Restart-safe: a reservation of a crashed job stays reserved (it still counts against the
 *   budget) until it is released, or until the expiry the holder set (`reservationExpirySeconds`,
 *   none by default: then only an explicit release frees it). An expired reservation may still be
 *   committed, but only if it fits the budget again at that moment.
 * - Every entry records the job, the mechanism, and when it was reserved and settled.
 * - The folder is created 0700 and the file 0600; an existing folder others can read is refused.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { BudgetExceededError, LedgerError, PrivacyParameterError } from "./errors.js";
import { DEFAULT_RDP_ORDERS, epsilonFromRdp, subsampledGaussianRdp } from "./rdp.js";
import { epsilonFromRho } from "./zcdp.js";

/** What one entry costs, in one of the accountant's currencies. */
export type PrivacyCost =
  | { readonly rho: number }
  | { readonly rdp: readonly number[] }
  | { readonly subsampledGaussian: { readonly samplingRate: number; readonly noiseMultiplier: number; readonly steps: number } };

/** A holder's budget on one dataset. */
export interface DatasetBudget {
  readonly epsilon: number;
  readonly delta: number;
  /** Reservations older than this stop counting (a crashed job's); undefined: never expire. */
  readonly reservationExpirySeconds?: number;
}

export type EntryState = "reserved" | "committed" | "released";

/** One ledger entry as stored. */
export interface LedgerEntry {
  readonly id: number;
  readonly holder: string;
  readonly dataset: string;
  readonly jobId: string;
  readonly mechanism: string;
  readonly state: EntryState;
  /** The entry's ρ when its cost is zCDP, else null. */
  readonly rho: number | null;
  /** ε of this entry alone at the holder's δ (for reading; totals are composed from curves). */
  readonly epsilonAlone: number;
  readonly reservedAt: string;
  readonly expiresAt: string | null;
  readonly settledAt: string | null;
}

/** Spending on one dataset. */
export interface BudgetStatus {
  readonly budget: DatasetBudget;
  /** ε of the committed entries composed. */
  readonly epsilonCommitted: number;
  /** ε of committed + live reservations composed: what a new reservation is added to. */
  readonly epsilonCommittedAndReserved: number;
  readonly liveReservations: number;
}

export interface LedgerOptions {
  /** Clock in ms since the epoch (tests move it to expire reservations). */
  readonly now?: () => number;
  /** Milliseconds to wait for another process's write lock (default 10 s). */
  readonly busyTimeoutMs?: number;
}

interface EntryRow {
  id: number;
  holder: string;
  dataset: string;
  job_id: string;
  mechanism: string;
  state: EntryState;
  rho: number | null;
  rdp_json: string;
  epsilon_alone: number;
  reserved_at: string;
  expires_at_ms: number | null;
  settled_at: string | null;
}

interface BudgetRow {
  epsilon: number;
  delta: number;
  reservation_expiry_seconds: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS budgets (
  holder TEXT NOT NULL, dataset TEXT NOT NULL,
  epsilon REAL NOT NULL, delta REAL NOT NULL, reservation_expiry_seconds REAL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (holder, dataset)
);
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  holder TEXT NOT NULL, dataset TEXT NOT NULL, job_id TEXT NOT NULL, mechanism TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('reserved', 'committed', 'released')),
  rho REAL, rdp_json TEXT NOT NULL, epsilon_alone REAL NOT NULL,
  reserved_at TEXT NOT NULL, expires_at_ms INTEGER, settled_at TEXT
);
CREATE INDEX IF NOT EXISTS entries_by_dataset ON entries (holder, dataset, state);
`;

function checkName(value: string, what: string): void {
  if (typeof value !== "string" || value.length === 0) throw new PrivacyParameterError(`${what} must be a non-empty string`);
}

function prepareFolder(path: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  const mode = statSync(folder).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new LedgerError(`the ledger folder ${folder} is readable by others (mode ${mode.toString(8)}); run chmod 700 ${folder} or pick a private folder`);
  }
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
}

/** A budget ledger on one SQLite file. */
export class BudgetLedger {
  readonly path: string;
  readonly orders: readonly number[];
  private readonly db: Database.Database;
  private readonly now: () => number;

  constructor(path: string, options: LedgerOptions = {}) {
    prepareFolder(path);
    this.path = path;
    this.now = options.now ?? Date.now;
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    this.db.exec(SCHEMA);
    this.orders = this.fixOrders();
  }

  /** The orders are fixed per file: curves stored under other orders could not be added. */
  private fixOrders(): readonly number[] {
    const wanted = JSON.stringify(DEFAULT_RDP_ORDERS);
    this.db.prepare("INSERT OR IGNORE INTO ledger_meta (key, value) VALUES ('rdp_orders', ?)").run(wanted);
    const row = this.db.prepare("SELECT value FROM ledger_meta WHERE key = 'rdp_orders'").get() as { value: string };
    return JSON.parse(row.value) as number[];
  }

  close(): void {
    this.db.close();
  }

  /** Sets (or changes) a holder's budget on a dataset. Lowering it below what is spent is allowed: nothing more fits. */
  setBudget(holder: string, dataset: string, budget: DatasetBudget): void {
    checkName(holder, "holder");
    checkName(dataset, "dataset");
    if (!(budget.epsilon > 0) || !Number.isFinite(budget.epsilon))
      throw new PrivacyParameterError(`the budget ε must be a finite number > 0, got ${budget.epsilon}`);
    if (!(budget.delta > 0 && budget.delta < 1)) throw new PrivacyParameterError(`the budget δ must be in (0, 1), got ${budget.delta}`);
    const expiry = budget.reservationExpirySeconds;
    if (expiry !== undefined && !(expiry > 0)) throw new PrivacyParameterError(`reservationExpirySeconds must be > 0, got ${expiry}`);
    this.db
      .prepare(
        `INSERT INTO budgets (holder, dataset, epsilon, delta, reservation_expiry_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (holder, dataset) DO UPDATE SET epsilon = excluded.epsilon, delta = excluded.delta,
           reservation_expiry_seconds = excluded.reservation_expiry_seconds, updated_at = excluded.updated_at`,
      )
      .run(holder, dataset, budget.epsilon, budget.delta, expiry ?? null, new Date(this.now()).toISOString());
  }

  private budgetOf(holder: string, dataset: string): DatasetBudget {
    const row = this.db.prepare("SELECT epsilon, delta, reservation_expiry_seconds FROM budgets WHERE holder = ? AND dataset = ?").get(holder, dataset) as
      | BudgetRow
      | undefined;
    if (row === undefined) throw new LedgerError(`holder "${holder}" has no budget on dataset "${dataset}"; set one with setBudget first`);
    return row.reservation_expiry_seconds === null
      ? { epsilon: row.epsilon, delta: row.delta }
      : { epsilon: row.epsilon, delta: row.delta, reservationExpirySeconds: row.reservation_expiry_seconds };
  }

  /** The cost as an RDP curve at the ledger's orders, and its ρ when it is zCDP. */
  private curveOf(cost: PrivacyCost): { curve: Float64Array; rho: number | null } {
    const curve = new Float64Array(this.orders.length);
    if ("rho" in cost) {
      if (!(cost.rho >= 0) || !Number.isFinite(cost.rho)) throw new PrivacyParameterError(`ρ must be a finite number ≥ 0, got ${cost.rho}`);
      for (let i = 0; i < curve.length; i++) curve[i] = this.orders[i]! * cost.rho;
      return { curve, rho: cost.rho };
    }
    if ("rdp" in cost) {
      if (cost.rdp.length !== curve.length)
        throw new PrivacyParameterError(`an RDP cost needs ${curve.length} values at the ledger's orders, got ${cost.rdp.length}`);
      for (let i = 0; i < curve.length; i++) {
        const value = cost.rdp[i]!;
        if (!(value >= 0)) throw new PrivacyParameterError(`RDP values must be ≥ 0, got ${value} at order ${this.orders[i]}`);
        curve[i] = value;
      }
      return { curve, rho: null };
    }
    const { samplingRate, noiseMultiplier, steps } = cost.subsampledGaussian;
    if (!Number.isInteger(steps) || steps < 1) throw new PrivacyParameterError(`steps must be an integer ≥ 1, got ${steps}`);
    for (let i = 0; i < curve.length; i++) curve[i] = steps * subsampledGaussianRdp(samplingRate, noiseMultiplier, this.orders[i]!);
    return { curve, rho: null };
  }

  /** ε at δ of composed entries (rows) plus an optional extra cost. */
  private compose(rows: readonly EntryRow[], delta: number, extra?: { curve: Float64Array; rho: number | null }): number {
    const total = new Float64Array(this.orders.length);
    let rhoTotal = 0;
    let allZcdp = true;
    const add = (curve: ArrayLike<number>, rho: number | null): void => {
      for (let i = 0; i < total.length; i++) total[i]! += curve[i]!;
      if (rho === null) allZcdp = false;
      else rhoTotal += rho;
    };
    for (const row of rows) add(JSON.parse(row.rdp_json) as number[], row.rho);
    if (extra !== undefined) add(extra.curve, extra.rho);
    const fromCurve = epsilonFromRdp(this.orders, total, delta).epsilon;
    return allZcdp ? Math.min(fromCurve, epsilonFromRho(rhoTotal, delta)) : fromCurve;
  }

  /** Committed entries and reservations that have not expired. */
  private liveRows(holder: string, dataset: string): EntryRow[] {
    return this.db
      .prepare(
        "SELECT * FROM entries WHERE holder = ? AND dataset = ? AND (state = 'committed' OR (state = 'reserved' AND (expires_at_ms IS NULL OR expires_at_ms > ?)))",
      )
      .all(holder, dataset, this.now()) as EntryRow[];
  }

  /**
   * Reserves `cost` for a job; throws BudgetExceededError (and writes nothing) when the composed
   * spending would pass the budget. Returns the entry.
   */
  reserve(request: { holder: string; dataset: string; jobId: string; mechanism: string; cost: PrivacyCost }): LedgerEntry {
    checkName(request.holder, "holder");
    checkName(request.dataset, "dataset");
    checkName(request.jobId, "jobId");
    checkName(request.mechanism, "mechanism");
    const cost = this.curveOf(request.cost);
    const run = this.db.transaction((): number => {
      const budget = this.budgetOf(request.holder, request.dataset);
      const after = this.compose(this.liveRows(request.holder, request.dataset), budget.delta, cost);
      if (after > budget.epsilon * (1 + 1e-12)) throw new BudgetExceededError(request.holder, request.dataset, after, budget.epsilon);
      const nowMs = this.now();
      const expiresAtMs = budget.reservationExpirySeconds === undefined ? null : Math.floor(nowMs + budget.reservationExpirySeconds * 1000);
      const alone = this.compose([], budget.delta, cost);
      const result = this.db
        .prepare(
          `INSERT INTO entries (holder, dataset, job_id, mechanism, state, rho, rdp_json, epsilon_alone, reserved_at, expires_at_ms)
           VALUES (?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?)`,
        )
        .run(
          request.holder,
          request.dataset,
          request.jobId,
          request.mechanism,
          cost.rho,
          JSON.stringify(Array.from(cost.curve)),
          alone,
          new Date(nowMs).toISOString(),
          expiresAtMs,
        );
      return Number(result.lastInsertRowid);
    });
    return this.entry(run.immediate());
  }

  /** Marks a reservation as spent. An expired one is re-checked against the budget first. */
  commit(id: number): LedgerEntry {
    this.db
      .transaction(() => {
        const row = this.row(id);
        if (row.state !== "reserved") throw new LedgerError(`ledger entry ${id} is ${row.state}, not reserved; only a reservation can be committed`);
        if (row.expires_at_ms !== null && row.expires_at_ms <= this.now()) {
          const budget = this.budgetOf(row.holder, row.dataset);
          const extra = { curve: Float64Array.from(JSON.parse(row.rdp_json) as number[]), rho: row.rho };
          const after = this.compose(this.liveRows(row.holder, row.dataset), budget.delta, extra);
          if (after > budget.epsilon * (1 + 1e-12)) {
            throw new LedgerError(
              `reservation ${id} of job "${row.job_id}" expired and no longer fits the budget (ε would be ${after.toPrecision(4)} > ${budget.epsilon}); discard the job's results`,
            );
          }
        }
        this.db.prepare("UPDATE entries SET state = 'committed', settled_at = ? WHERE id = ?").run(new Date(this.now()).toISOString(), id);
      })
      .immediate();
    return this.entry(id);
  }

  /** Gives a reservation back (the job failed or was cancelled before releasing anything). */
  release(id: number): LedgerEntry {
    this.db
      .transaction(() => {
        const row = this.row(id);
        if (row.state !== "reserved") throw new LedgerError(`ledger entry ${id} is ${row.state}, not reserved; only a reservation can be released`);
        this.db.prepare("UPDATE entries SET state = 'released', settled_at = ? WHERE id = ?").run(new Date(this.now()).toISOString(), id);
      })
      .immediate();
    return this.entry(id);
  }

  /** Composed spending on a dataset. */
  status(holder: string, dataset: string): BudgetStatus {
    const budget = this.budgetOf(holder, dataset);
    const live = this.liveRows(holder, dataset);
    return {
      budget,
      epsilonCommitted: this.compose(
        live.filter((row) => row.state === "committed"),
        budget.delta,
      ),
      epsilonCommittedAndReserved: this.compose(live, budget.delta),
      liveReservations: live.filter((row) => row.state === "reserved").length,
    };
  }

  /** All entries of a dataset, oldest first. */
  entries(holder: string, dataset: string): LedgerEntry[] {
    const rows = this.db.prepare("SELECT * FROM entries WHERE holder = ? AND dataset = ? ORDER BY id").all(holder, dataset) as EntryRow[];
    return rows.map(toEntry);
  }

  private row(id: number): EntryRow {
    const row = this.db.prepare("SELECT * FROM entries WHERE id = ?").get(id) as EntryRow | undefined;
    if (row === undefined) throw new LedgerError(`no ledger entry ${id}; use the id that reserve returned`);
    return row;
  }

  private entry(id: number): LedgerEntry {
    return toEntry(this.row(id));
  }
}

function toEntry(row: EntryRow): LedgerEntry {
  return {
    id: row.id,
    holder: row.holder,
    dataset: row.dataset,
    jobId: row.job_id,
    mechanism: row.mechanism,
    state: row.state,
    rho: row.rho,
    epsilonAlone: row.epsilon_alone,
    reservedAt: row.reserved_at,
    expiresAt: row.expires_at_ms === null ? null : new Date(row.expires_at_ms).toISOString(),
    settledAt: row.settled_at,
  };
}

/** Opens (creating if needed) the ledger at `path`. */
export function openBudgetLedger(path: string, options?: LedgerOptions): BudgetLedger {
  return new BudgetLedger(path, options);
}
