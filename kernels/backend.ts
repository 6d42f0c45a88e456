/**
 * One compute backend (the CPU or the CUDA library) behind typed, validated methods. Arguments
 * are checked here so that a mistake names the TS parameter; the library checks again and its
 * message is passed on. Every heavy method has an async twin that runs on a koffi worker thread.
 */
import { KernelError } from "./errors.js";
import type { BackendKind, NativeFunction, NativeLibrary } from "./native-library.js";
import type { CopulaNormalScoresRequest, CopulaSampleRequest, DeviceInfo, MatchOptions, MixedRows, NearestOptions, NearestResult } from "./types.js";

const EMPTY_F64 = new Float64Array(1);
const EMPTY_I32 = new Int32Array(1);

function count(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new KernelError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

function atLeast(array: { length: number }, needed: number, what: string): void {
  if (array.length < needed) throw new KernelError(`${what} has ${array.length} elements, needs at least ${needed}`);
}

/** Flattened copula marginals in the ABI's layout. */
interface FlatColumns {
  kind: Int32Array;
  offset: BigInt64Array;
  length: BigInt64Array;
  tables: Float64Array;
  zMin: Float64Array;
  zMax: Float64Array;
}

function flattenColumns(req: CopulaSampleRequest): FlatColumns {
  const d = req.columns.length;
  const kind = new Int32Array(d);
  const offset = new BigInt64Array(d);
  const length = new BigInt64Array(d);
  const zMin = new Float64Array(d);
  const zMax = new Float64Array(d);
  let total = 0;
  req.columns.forEach((column, c) => {
    if (column.kind !== "numeric" && column.kind !== "categorical") throw new KernelError(`copula column ${c}: kind must be "numeric" or "categorical"`);
    if (column.table.length < 1) throw new KernelError(`copula column ${c}: its table is empty`);
    kind[c] = column.kind === "numeric" ? 0 : 1;
    offset[c] = BigInt(total);
    length[c] = BigInt(column.table.length);
    zMin[c] = column.zMin;
    zMax[c] = column.zMax;
    total += column.table.length;
  });
  const tables = new Float64Array(Math.max(total, 1));
  req.columns.forEach((column, c) => {
    tables.set(column.table, Number(offset[c]));
  });
  return { kind, offset, length, tables, zMin, zMax };
}

export class KernelBackend {
  readonly kind: BackendKind;
  readonly library: NativeLibrary;
  constructor(library: NativeLibrary) {
    this.kind = library.kind;
    this.library = library;
  }

  /** Throws a KernelError carrying the library's message when `status` is not DL_OK. */
  private check(status: unknown, what: string): void {
    if (status === 0) return;
    const message = String(this.library.lastError() ?? "");
    throw new KernelError(`${what} failed on ${this.kind}: ${message || `error code ${String(status)}`}`, {
      code: Number(status),
    });
  }

  private callAsync(fn: NativeFunction, what: string, args: unknown[]): Promise<void> {
    return new Promise((resolve, reject) => {
      fn.async(...args, (error: unknown, status: unknown) => {
        if (error) {
          reject(new KernelError(`${what} failed on ${this.kind}: ${String(error)}`, { cause: error }));
          return;
        }
        try {
          this.check(status, what);
          resolve();
        } catch (failure) {
          reject(failure);
        }
      });
    });
  }

  version(): string {
    return String(this.library.version());
  }

  devices(): DeviceInfo[] {
    const countOut = [0];
    this.check(this.library.deviceCount(countOut), "device count");
    const devices: DeviceInfo[] = [];
    for (let i = 0; i < (countOut[0] ?? 0); i += 1) {
      const name = Buffer.alloc(256);
      const memory = new BigUint64Array(1);
      const major = new Int32Array(1);
      const minor = new Int32Array(1);
      this.check(this.library.deviceInfo(i, name, name.length, memory, major, minor), "device info");
      const info: DeviceInfo = {
        kind: this.kind,
        name: name.toString("utf8", 0, Math.max(0, name.indexOf(0))),
        memoryBytes: Number(memory[0]),
      };
      if (this.kind === "cuda") info.computeCapability = `${major[0]}.${minor[0]}`;
      devices.push(info);
    }
    return devices;
  }

  noDeviceReason(): string {
    return String(this.library.noDeviceReason() ?? "");
  }

  /** CPU library: worker threads (0 = all cores); returns the count now in use. */
  setThreads(threads: number): number {
    return Number(this.library.setThreads(count(threads, "threads")));
  }

  gemmUsesCublas(): boolean {
    return Number(this.library.gemmUsesCublas()) === 1;
  }

  /** CUDA library: use the own GEMM kernel even when cuBLAS is present (benchmarks, checks). */
  gemmForceOwnKernel(enabled: boolean): void {
    this.library.gemmForceOwnKernel(enabled ? 1 : 0);
  }

  philoxUniform(seed: bigint, counter: bigint, out: Float64Array): void {
    this.check(this.library.philoxUniform(BigInt.asUintN(64, seed), BigInt.asUintN(64, counter), out, out.length), "philoxUniform");
  }

  philoxNormal(seed: bigint, counter: bigint, out: Float64Array): void {
    this.check(this.library.philoxNormal(BigInt.asUintN(64, seed), BigInt.asUintN(64, counter), out, out.length), "philoxNormal");
  }

  /** Raw Philox4x32-10 blocks (4 words each) for counters ctr, ctr+1, … (known-answer tests). */
  philoxRaw(key: [number, number], counter: Uint32Array, blocks: number): Uint32Array {
    atLeast(counter, 4, "counter");
    const out = new Uint32Array(count(blocks, "blocks") * 4);
    this.check(this.library.philoxRaw(key[0] >>> 0, key[1] >>> 0, counter, out, blocks), "philoxRaw");
    return out;
  }

  private gemmArgs(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
  ): unknown[] {
    count(m, "m");
    count(n, "n");
    count(k, "k");
    atLeast(a, m * k, "gemm matrix A");
    atLeast(b, k * n, "gemm matrix B");
    atLeast(c, m * n, "gemm matrix C");
    return [transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, b, beta, c];
  }

  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
  ): void {
    this.check(this.library.gemm(...this.gemmArgs(transA, transB, m, n, k, alpha, a, b, beta, c)), "gemm");
  }

  gemmAsync(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
  ): Promise<void> {
    return this.callAsync(this.library.gemm, "gemm", this.gemmArgs(transA, transB, m, n, k, alpha, a, b, beta, c));
  }

  private copulaArgs(req: CopulaSampleRequest, out: Float64Array): unknown[] {
    const rows = count(req.rows, "copula rows");
    const d = req.columns.length;
    if (d < 1) throw new KernelError("copula request has no columns: pass at least one column table");
    atLeast(req.cholesky, d * d, "copula cholesky (d×d)");
    if (req.mean !== undefined) atLeast(req.mean, rows * d, "copula mean (rows×d)");
    atLeast(out, rows * d, "copula output (rows×d)");
    const flat = flattenColumns(req);
    return [
      rows,
      d,
      req.cholesky,
      req.mean ?? null,
      flat.kind,
      flat.offset,
      flat.length,
      flat.tables,
      flat.tables.length,
      flat.zMin,
      flat.zMax,
      BigInt.asUintN(64, req.seed),
      BigInt.asUintN(64, req.counterOffset),
      out,
    ];
  }

  copulaSample(req: CopulaSampleRequest, out: Float64Array): void {
    this.check(this.library.copulaSample(...this.copulaArgs(req, out)), "copulaSample");
  }

  copulaSampleAsync(req: CopulaSampleRequest, out: Float64Array): Promise<void> {
    return this.callAsync(this.library.copulaSample, "copulaSample", this.copulaArgs(req, out));
  }

  /** Only z = mean + L·ε (column-major rows×d); d from `d`, else columns.length, else √cholesky.length. */
  copulaNormalScores(req: CopulaNormalScoresRequest, out: Float64Array): void {
    const rows = count(req.rows, "copula rows");
    const d = req.d ?? req.columns?.length ?? Math.round(Math.sqrt(req.cholesky.length));
    if (d < 1 || !Number.isSafeInteger(d)) throw new KernelError("copulaNormalScores: d must be a positive integer");
    atLeast(req.cholesky, d * d, "copula cholesky (d×d)");
    if (req.mean !== undefined) atLeast(req.mean, rows * d, "copula mean (rows×d)");
    atLeast(out, rows * d, "copula output (rows×d)");
    this.check(
      this.library.copulaNormalScores(rows, d, req.cholesky, req.mean ?? null, BigInt.asUintN(64, req.seed), BigInt.asUintN(64, req.counterOffset), out),
      "copulaNormalScores",
    );
  }

  private nearestArgs(a: MixedRows, b: MixedRows, options: NearestOptions, result: NearestResult): unknown[] {
    const num = count(options.numericCount, "numericCount");
    const cat = count(options.categoricalCount, "categoricalCount");
    if (num + cat === 0) throw new KernelError("nearestNeighbors needs at least one numeric or categorical column");
    if (options.k !== 1 && options.k !== 2) throw new KernelError(`nearestNeighbors: k must be 1 or 2, got ${String(options.k)}`);
    for (const [rows, name] of [
      [a, "A"],
      [b, "B"],
    ] as const) {
      count(rows.rows, `rows of ${name}`);
      atLeast(rows.numeric, rows.rows * num, `numeric values of ${name} (rows×numericCount)`);
      atLeast(rows.categorical, rows.rows * cat, `categorical codes of ${name} (rows×categoricalCount)`);
    }
    atLeast(options.invRange, num, "invRange");
    return [
      a.rows,
      num > 0 ? a.numeric : EMPTY_F64,
      cat > 0 ? a.categorical : EMPTY_I32,
      b.rows,
      num > 0 ? b.numeric : EMPTY_F64,
      cat > 0 ? b.categorical : EMPTY_I32,
      num,
      cat,
      num > 0 ? options.invRange : EMPTY_F64,
      options.k,
      options.excludeSameIndex ? 1 : 0,
      result.distance,
      result.index,
    ];
  }

  nearestNeighbors(a: MixedRows, b: MixedRows, options: NearestOptions): NearestResult {
    const result = { distance: new Float64Array(a.rows * options.k), index: new Int32Array(a.rows * options.k) };
    this.check(this.library.nearestNeighbors(...this.nearestArgs(a, b, options, result)), "nearestNeighbors");
    return result;
  }

  async nearestNeighborsAsync(a: MixedRows, b: MixedRows, options: NearestOptions): Promise<NearestResult> {
    const result = { distance: new Float64Array(a.rows * options.k), index: new Int32Array(a.rows * options.k) };
    await this.callAsync(this.library.nearestNeighbors, "nearestNeighbors", this.nearestArgs(a, b, options, result));
    return result;
  }

  private matchArgs(a: MixedRows, b: MixedRows, options: MatchOptions, matched: Uint8Array): unknown[] {
    const num = count(options.numericCount, "numericCount");
    const cat = count(options.categoricalCount, "categoricalCount");
    if (!(options.relTolerance >= 0)) throw new KernelError(`matchRows: relTolerance must be >= 0, got ${options.relTolerance}`);
    for (const [rows, name] of [
      [a, "A"],
      [b, "B"],
    ] as const) {
      count(rows.rows, `rows of ${name}`);
      atLeast(rows.numeric, rows.rows * num, `numeric values of ${name} (rows×numericCount)`);
      atLeast(rows.categorical, rows.rows * cat, `categorical codes of ${name} (rows×categoricalCount)`);
    }
    return [
      a.rows,
      num > 0 ? a.numeric : EMPTY_F64,
      cat > 0 ? a.categorical : EMPTY_I32,
      b.rows,
      num > 0 ? b.numeric : EMPTY_F64,
      cat > 0 ? b.categorical : EMPTY_I32,
      num,
      cat,
      options.relTolerance,
      matched.length > 0 ? matched : new Uint8Array(1),
    ];
  }

  matchRows(a: MixedRows, b: MixedRows, options: MatchOptions): Uint8Array {
    const matched = new Uint8Array(a.rows);
    this.check(this.library.matchRows(...this.matchArgs(a, b, options, matched)), "matchRows");
    return matched;
  }

  async matchRowsAsync(a: MixedRows, b: MixedRows, options: MatchOptions): Promise<Uint8Array> {
    const matched = new Uint8Array(a.rows);
    await this.callAsync(this.library.matchRows, "matchRows", this.matchArgs(a, b, options, matched));
    return matched;
  }

  private aggregateArgs(
    updates: Float32Array,
    k: number,
    n: number,
    weights: Float32Array,
    clip: number,
    noiseStd: number,
    seed: bigint,
    counter: bigint,
    out: Float32Array,
    norms: Float32Array,
  ): unknown[] {
    count(k, "k (number of updates)");
    count(n, "n (update length)");
    atLeast(updates, k * n, "updates (k×n)");
    atLeast(weights, k, "weights");
    atLeast(out, n, "aggregate output");
    if (Number.isNaN(clip)) throw new KernelError("aggregateUpdates: clip must be a number (<= 0 or Infinity: no clipping)");
    if (!(noiseStd >= 0) || !Number.isFinite(noiseStd)) throw new KernelError(`aggregateUpdates: noiseStd must be finite and >= 0, got ${noiseStd}`);
    return [updates, k, n, weights, clip, noiseStd, BigInt.asUintN(64, seed), BigInt.asUintN(64, counter), out, norms.length > 0 ? norms : new Float32Array(1)];
  }

  aggregateUpdates(
    updates: Float32Array,
    k: number,
    n: number,
    weights: Float32Array,
    clip: number,
    noiseStd: number,
    seed: bigint,
    counter: bigint,
    out: Float32Array,
  ): Float32Array {
    const norms = new Float32Array(k);
    this.check(this.library.aggregateUpdates(...this.aggregateArgs(updates, k, n, weights, clip, noiseStd, seed, counter, out, norms)), "aggregateUpdates");
    return norms;
  }

  async aggregateUpdatesAsync(
    updates: Float32Array,
    k: number,
    n: number,
    weights: Float32Array,
    clip: number,
    noiseStd: number,
    seed: bigint,
    counter: bigint,
    out: Float32Array,
  ): Promise<Float32Array> {
    const norms = new Float32Array(k);
    await this.callAsync(
      this.library.aggregateUpdates,
      "aggregateUpdates",
      this.aggregateArgs(updates, k, n, weights, clip, noiseStd, seed, counter, out, norms),
    );
    return norms;
  }
}
