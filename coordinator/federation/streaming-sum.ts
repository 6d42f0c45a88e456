/**
 * The round's running sum, fed update by update as they arrive — never all updates at once.
 * Memory: two sum rows (2 × model) plus `slots` update buffers; an update
 * is read from the chunk store straight into a free slot and its chunks are dropped once copied.
 *
 * Each batch is one call of the kernels' clip-and-sum (kernels/index.ts, aggregateUpdates) over
 * the running sum's row and the batch's slots, written into a second sum row (the two swap):
 *   S' = S + Σ_k w_k · min(1, C/‖u_k‖) · u_k
 * The kernel clips every row it is given, the sum's own too, so the sum is kept as scale · row
 * with scale chosen from a bound on ‖S‖ (Σ w_k min(C, ‖u_k‖), the triangle inequality) so the row's
 * norm stays below C and is never clipped. A batch holding a poisoned update (a NaN or infinite
 * norm, or a norm above the poison limit) is summed again without it; the sum row it would have
 * replaced was not written, so the sum never sees it.
 */
import { aggregateUpdatesAsync } from "../../kernels/index.js";

export interface StreamingSumOptions {
  /** L2 bound C each update is clipped to; 0 = no clipping. */
  readonly clipNorm: number;
  /** Updates whose norm exceeds this are rejected as poisoned (Infinity = only NaN/Inf). */
  readonly poisonNormLimit: number;
  /** Update buffers held at once (updates in flight in memory); default 4. */
  readonly slots?: number;
}

/** One update to add: its weight and a function that writes its float32 bytes into a slot. */
export interface PendingUpdate {
  readonly weight: number;
  readonly fill: (slot: Uint8Array) => Promise<void>;
}

/** What became of one update. */
export interface UpdateOutcome {
  readonly norm: number;
  readonly accepted: boolean;
  /** Why it was rejected; empty when accepted. */
  readonly reason: string;
}

export class StreamingUpdateSum {
  readonly parameters: number;
  readonly slotCount: number;
  /** [A | slot 1 … slot B | Z]: the running sum lives in A or Z, the kernel writes the other. */
  private readonly block: Float32Array;
  private accumulatorIsFirst = true;
  /** The running sum is scale · (accumulator row): keeps that row's norm below C, so the kernel never clips it. */
  private scale = 1;
  /** An upper bound of ‖S‖ (triangle inequality over the clipped contributions). */
  private normBound = 0;
  private clipNorm: number;
  private poisonNormLimit: number;
  private summed = 0;
  private weightSum = 0;

  constructor(parameters: number, options: StreamingSumOptions) {
    this.parameters = parameters;
    this.slotCount = options.slots ?? 4;
    if (!Number.isInteger(this.slotCount) || this.slotCount < 1) throw new RangeError(`slots must be an integer >= 1, got ${this.slotCount}`);
    this.block = new Float32Array((this.slotCount + 2) * parameters);
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
  }

  /** Starts a new round with the same buffers (no new model-sized allocations per round). */
  reset(options: Pick<StreamingSumOptions, "clipNorm" | "poisonNormLimit">): void {
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
    this.summed = 0;
    this.weightSum = 0;
    this.scale = 1;
    this.normBound = 0;
    this.accumulatorIsFirst = true;
    this.row(0).fill(0);
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
    const accumulator = this.accumulator();
    if (this.scale !== 1) {
      for (let i = 0; i < accumulator.length; i++) accumulator[i] = (accumulator[i] as number) * this.scale;
      this.scale = 1;
    }
    return accumulator;
  }

  /** The row the sum is not in: free once the round's updates are summed (robust strategies' output). */
  get scratch(): Float32Array {
    return this.row(this.accumulatorIsFirst ? this.slotCount + 1 : 0);
  }

  /** Bytes of float32 buffers this sum holds (two sum rows and the slots). */
  get heldBytes(): number {
    return this.block.byteLength;
  }

  private row(index: number): Float32Array {
    return this.block.subarray(index * this.parameters, (index + 1) * this.parameters);
  }

  private accumulator(): Float32Array {
    return this.row(this.accumulatorIsFirst ? 0 : this.slotCount + 1);
  }

  /**
   * Adds up to `slots` updates (in the given order) and reports each one's fate. One kernel call:
   * out = (scale/scale') · acc + Σ_k (w_k/scale') · min(1, C/‖u_k‖) · u_k, written into the other
   * sum row, so a rejected update (seen in the returned norms) leaves the sum untouched.
   */
  async addBatch(batch: readonly PendingUpdate[]): Promise<UpdateOutcome[]> {
    if (batch.length === 0) return [];
    if (batch.length > this.slotCount) throw new RangeError(`a batch holds at most ${this.slotCount} updates, got ${batch.length}`);
    const n = this.parameters;
    const B = this.slotCount;
    // The slots used must touch the accumulator row: the first k after A, or the last k before Z.
    const slotRow = (i: number, k: number) => (this.accumulatorIsFirst ? 1 + i : B + 1 - k + i);
    for (let i = 0; i < batch.length; i++) {
      const slot = this.row(slotRow(i, batch.length));
      await (batch[i] as PendingUpdate).fill(new Uint8Array(slot.buffer, slot.byteOffset, slot.byteLength));
    }
    const clip = Math.max(this.clipNorm, 0);
    const outcomes: UpdateOutcome[] = new Array(batch.length);
    let rows = batch.map((update, index) => ({ update, index }));
    for (;;) {
      const k = rows.length;
      const first = this.accumulatorIsFirst ? 0 : B + 1 - k;
      const added = rows.reduce((s, row) => s + Math.abs(row.update.weight) * clip, 0);
      const newScale = clip > 0 ? Math.max(1, ((this.normBound + added) / clip) * 1.001) : 1;
      const weights = new Float32Array(k + 1);
      const accWeight = this.scale / newScale;
      if (this.accumulatorIsFirst) {
        weights[0] = accWeight;
        rows.forEach((row, i) => {
          weights[i + 1] = row.update.weight / newScale;
        });
      } else {
        rows.forEach((row, i) => {
          weights[i] = row.update.weight / newScale;
        });
        weights[k] = accWeight;
      }
      const out = this.row(this.accumulatorIsFirst ? B + 1 : 0);
      const inputs = this.block.subarray(first * n, (first + k + 1) * n);
      const norms = await aggregateUpdatesAsync(inputs, k + 1, n, weights, clip, 0, 0n, 0n, out);
      const slotNorm = (i: number) => norms[this.accumulatorIsFirst ? i + 1 : i] as number;
      const bad = rows.filter((_, i) => !this.acceptable(slotNorm(i)));
      if (bad.length === 0) {
        rows.forEach((row, i) => {
          outcomes[row.index] = { norm: slotNorm(i), accepted: true, reason: "" };
          this.summed++;
          this.weightSum += row.update.weight;
          this.normBound += Math.abs(row.update.weight) * (clip > 0 ? Math.min(clip, slotNorm(i)) : slotNorm(i));
        });
        this.scale = newScale;
        this.accumulatorIsFirst = !this.accumulatorIsFirst;
        return outcomes;
      }
      // Drop the bad rows: move the good ones so they still touch the accumulator row, sum again.
      const good = rows.filter((_, i) => this.acceptable(slotNorm(i)));
      rows.forEach((row, i) => {
        if (!this.acceptable(slotNorm(i))) outcomes[row.index] = { norm: slotNorm(i), accepted: false, reason: this.rejection(slotNorm(i)) };
      });
      const moves = good.map((row, i) => ({ from: slotRow(rows.indexOf(row), k), to: slotRow(i, good.length) }));
      // In place: towards A the targets are at or below their sources (go up), towards Z at or above (go down).
      if (!this.accumulatorIsFirst) moves.reverse();
      for (const { from, to } of moves) if (from !== to) this.block.copyWithin(to * n, from * n, (from + 1) * n);
      rows = good;
      if (rows.length === 0) return outcomes;
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
