/**
 * The round's running sum, fed update by update as they arrive — never a whole update in memory.
 * Memory: the sum row S (one model), a window buffer of `batchSize` × `windowValues` floats
 * (4 × 1 MiB by default), and a scratch row P (the robust strategies' output) only once one asks
 * for it. It does not grow with the number of holders or with the model beyond S.
 *
 * Clip-and-sum in two streaming passes over an update's stored chunks (kernels 5b):
 * 1. Its squared norm: Σ over its chunks, in order, of Σx² of the chunk. The chunk store keeps
 *    that per-chunk sum from the upload (taken while it hashed the chunk), so this pass usually
 *    reads nothing; a chunk it lacks (a restart) is read and summed the same way — same bits.
 * 2. With the norms of a batch known, the batch is screened — a NaN or infinite norm, or one
 *    above the poison limit, is rejected and never touches S — and the accepted updates are
 *    added window by window: each reads its values [j, j + w) into its row of the window buffer
 *    and S[j, j + w) ← S + Σ_k c_k · u_k[j, j + w), c_k = w_k · min(1, C/‖u_k‖)
 *    (accumulateScaled: the sum over the batch in double, S rounded to float32 once per batch).
 * The kernel is per coordinate, so the window size does not change a bit of S: the result is
 * that of one call over whole rows (the slot design this replaces).
 */
import { accumulateScaled, sumSquares } from "../../kernels/index.js";
import type { UpdateRangeReader } from "./robust-aggregation.js";

export interface StreamingSumOptions {
  /** L2 bound C each update is clipped to; 0 = no clipping. */
  readonly clipNorm: number;
  /** Updates whose norm exceeds this are rejected as poisoned (Infinity = only NaN/Inf). */
  readonly poisonNormLimit: number;
  /** Updates summed together per window (their sum is formed in double); default 4. */
  readonly batchSize?: number;
  /** Values per window (per update read at once); default 262,144 (1 MiB of float32, one chunk). */
  readonly windowValues?: number;
}

export const DEFAULT_WINDOW_VALUES = 262_144;

/** One update to add: its weight, its norm, and a reader of its values. */
export interface PendingUpdate {
  readonly weight: number;
  /**
   * ‖u‖₂, taken piece by piece in a fixed decomposition (the same bits every time for the same
   * update). `scratch` (windowValues floats) may be used to read pieces into.
   */
  readonly norm: (scratch: Float32Array) => Promise<number>;
  readonly read: UpdateRangeReader;
}

/** What became of one update. */
export interface UpdateOutcome {
  readonly norm: number;
  readonly accepted: boolean;
  /** Why it was rejected; empty when accepted. */
  readonly reason: string;
}

/** A PendingUpdate over values already in memory (tests, the benchmark): norm summed per `pieceValues`. */
export function inMemoryUpdate(values: Float32Array, weight: number, pieceValues = DEFAULT_WINDOW_VALUES): PendingUpdate {
  return {
    weight,
    norm: async () => {
      let squares = 0;
      for (let start = 0; start < values.length; start += pieceValues) squares += sumSquares(values.subarray(start, start + pieceValues));
      return Math.sqrt(squares);
    },
    read: async (start, out) => {
      if (start + out.length > values.length) throw new RangeError(`values ${start}..${start + out.length} are past the end (${values.length})`);
      out.set(values.subarray(start, start + out.length));
    },
  };
}

export class StreamingUpdateSum {
  readonly parameters: number;
  readonly batchSize: number;
  readonly windowValues: number;
  private readonly sumRow: Float32Array;
  /** batchSize rows of windowValues floats: one window of each update of a batch. */
  private readonly windows: Float32Array;
  /** P, allocated on first use (median / trimmed mean only) and kept for later rounds. */
  private scratchRow: Float32Array | undefined;
  private clipNorm: number;
  private poisonNormLimit: number;
  private summed = 0;
  private weightSum = 0;

  constructor(parameters: number, options: StreamingSumOptions) {
    this.parameters = parameters;
    this.batchSize = options.batchSize ?? 4;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be an integer >= 1, got ${this.batchSize}`);
    const window = options.windowValues ?? DEFAULT_WINDOW_VALUES;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`windowValues must be an integer >= 1, got ${window}`);
    this.windowValues = Math.max(1, Math.min(window, parameters));
    this.sumRow = new Float32Array(parameters);
    this.windows = new Float32Array(this.batchSize * this.windowValues);
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
  }

  /** Starts a new round with the same buffers (no new model-sized allocations per round). */
  reset(options: Pick<StreamingSumOptions, "clipNorm" | "poisonNormLimit">): void {
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
    this.summed = 0;
    this.weightSum = 0;
    this.sumRow.fill(0);
  }

  /** Updates added so far (accepted ones). */
  get count(): number {
    return this.summed;
  }

  /** Σ of the accepted updates' weights. */
  get totalWeight(): number {
    return this.weightSum;
  }

  /** The running sum S = Σ w_k clip(u_k) (a view, valid until the next add or reset). */
  get sum(): Float32Array {
    return this.sumRow;
  }

  /** A row the sum is not in: free once the round's updates are summed (robust strategies' output). */
  get scratch(): Float32Array {
    this.scratchRow ??= new Float32Array(this.parameters);
    return this.scratchRow;
  }

  /** Bytes of float32 buffers this sum holds (S, the window buffer, and P once used). */
  get heldBytes(): number {
    return this.sumRow.byteLength + this.windows.byteLength + (this.scratchRow?.byteLength ?? 0);
  }

  /**
   * Adds up to `batchSize` updates (in the given order) and reports each one's fate: takes their
   * norms, rejects poisoned ones, and adds the rest into S window by window.
   */
  async addBatch(batch: readonly PendingUpdate[]): Promise<UpdateOutcome[]> {
    if (batch.length === 0) return [];
    if (batch.length > this.batchSize) throw new RangeError(`a batch holds at most ${this.batchSize} updates, got ${batch.length}`);
    const norms: number[] = [];
    for (const update of batch) norms.push(await update.norm(this.windows.subarray(0, this.windowValues)));
    const clip = Math.max(this.clipNorm, 0);
    const outcomes: UpdateOutcome[] = norms.map((norm) =>
      this.acceptable(norm) ? { norm, accepted: true, reason: "" } : { norm, accepted: false, reason: this.rejection(norm) },
    );
    const accepted: PendingUpdate[] = [];
    const coef: number[] = [];
    batch.forEach((update, i) => {
      if (!(outcomes[i] as UpdateOutcome).accepted) return;
      const norm = norms[i] as number;
      accepted.push(update);
      coef.push(update.weight * (clip > 0 && norm > clip ? clip / norm : 1));
    });
    if (accepted.length > 0) await this.accumulate(accepted, Float64Array.from(coef));
    for (const update of accepted) {
      this.summed++;
      this.weightSum += update.weight;
    }
    return outcomes;
  }

  /** S += Σ_k coef_k u_k, one window of every update at a time (the updates in order: fixed bits). */
  private async accumulate(updates: readonly PendingUpdate[], coef: Float64Array): Promise<void> {
    const n = this.parameters;
    const k = updates.length;
    for (let start = 0; start < n; start += this.windowValues) {
      const length = Math.min(this.windowValues, n - start);
      for (let u = 0; u < k; u++) await (updates[u] as PendingUpdate).read(start, this.windows.subarray(u * length, (u + 1) * length));
      // A 1 MiB-per-update window takes well under a millisecond: on the event loop, not a worker.
      accumulateScaled(this.sumRow.subarray(start, start + length), this.windows.subarray(0, k * length), k, coef);
    }
  }

  private acceptable(norm: number): boolean {
    return Number.isFinite(norm) && norm <= this.poisonNormLimit;
  }

  private rejection(norm: number): string {
    if (!Number.isFinite(norm)) return `update norm is ${norm} (NaN or infinite values)`;
    return `update norm ${norm.toPrecision(4)} exceeds the poison limit ${this.poisonNormLimit.toPrecision(4)}`;
  }
}
