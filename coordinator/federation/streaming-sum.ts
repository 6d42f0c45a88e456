/**
 * The round's running sum, fed update by update as they arrive — never all updates at once.
 * Memory: the running sum T and one partial P (2 × model) plus `slots` update buffers; an update
 * is read from the chunk store straight into a free slot and its chunks are dropped once copied.
 *
 * Each batch is two passes of the kernels' clip-and-sum (kernels/index.ts, aggregateUpdates):
 *   1. P = Σ_k w_k · min(1, C/‖u_k‖) · u_k over the batch's slots (returns the pre-clip norms);
 *   2. T = 1·T + 1·P (no clipping), written over T in place.
 * A batch holding a poisoned update (a NaN or infinite norm, or a norm above the poison limit)
 * is summed again without it before pass 2, so T never sees it.
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
  private readonly total: Float32Array;
  private readonly pair: Float32Array;
  private readonly partial: Float32Array;
  private readonly slots: Float32Array;
  private clipNorm: number;
  private poisonNormLimit: number;
  private summed = 0;
  private weightSum = 0;

  constructor(parameters: number, options: StreamingSumOptions) {
    this.parameters = parameters;
    this.slotCount = options.slots ?? 4;
    if (!Number.isInteger(this.slotCount) || this.slotCount < 1) throw new RangeError(`slots must be an integer >= 1, got ${this.slotCount}`);
    // [T | P] contiguous: pass 2 sums its two rows.
    this.pair = new Float32Array(2 * parameters);
    this.total = this.pair.subarray(0, parameters);
    this.partial = this.pair.subarray(parameters);
    this.slots = new Float32Array(this.slotCount * parameters);
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
  }

  /** Starts a new round with the same buffers (no new model-sized allocations per round). */
  reset(options: Pick<StreamingSumOptions, "clipNorm" | "poisonNormLimit">): void {
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
    this.summed = 0;
    this.weightSum = 0;
    this.total.fill(0);
  }

  /** Updates added so far (accepted ones). */
  get count(): number {
    return this.summed;
  }

  /** Σ of the accepted updates' weights. */
  get totalWeight(): number {
    return this.weightSum;
  }

  /** The running sum Σ w_k clip(u_k) (a view; valid until the next add). */
  get sum(): Float32Array {
    return this.total;
  }

  /** P, free once the round's updates are summed: the robust strategies' output buffer. */
  get scratch(): Float32Array {
    return this.partial;
  }

  /** Bytes of float32 buffers this sum holds (T, P and the slots). */
  get heldBytes(): number {
    return (this.pair.byteLength + this.slots.byteLength) as number;
  }

  /** Adds up to `slots` updates (in the given order) and reports each one's fate. */
  async addBatch(batch: readonly PendingUpdate[]): Promise<UpdateOutcome[]> {
    if (batch.length === 0) return [];
    if (batch.length > this.slotCount) throw new RangeError(`a batch holds at most ${this.slotCount} updates, got ${batch.length}`);
    const n = this.parameters;
    for (let i = 0; i < batch.length; i++) {
      const slot = this.slots.subarray(i * n, (i + 1) * n);
      await (batch[i] as PendingUpdate).fill(new Uint8Array(slot.buffer, slot.byteOffset, slot.byteLength));
    }
    let rows = batch.map((update, index) => ({ update, index }));
    const outcomes: UpdateOutcome[] = new Array(batch.length);
    const clip = Math.max(this.clipNorm, 0);
    for (;;) {
      const weights = Float32Array.from(rows, (row) => row.update.weight);
      const norms = await aggregateUpdatesAsync(this.slots, rows.length, n, weights, clip, 0, 0n, 0n, this.partial);
      const bad = rows.map((row, i) => ({ row, norm: norms[i] as number })).filter(({ norm }) => !this.acceptable(norm));
      if (bad.length === 0) {
        rows.forEach((row, i) => {
          outcomes[row.index] = { norm: norms[i] as number, accepted: true, reason: "" };
        });
        break;
      }
      for (const { row, norm } of bad) outcomes[row.index] = { norm, accepted: false, reason: this.rejection(norm) };
      // Compact the good rows to the front of the slots and sum again without the bad ones.
      const good = rows.filter((_, i) => this.acceptable(norms[i] as number));
      good.forEach((row, target) => {
        const source = rows.indexOf(row);
        if (source !== target) this.slots.copyWithin(target * n, source * n, (source + 1) * n);
      });
      rows = good;
      if (rows.length === 0) return outcomes;
    }
    if (this.summed === 0) this.total.set(this.partial);
    else await aggregateUpdatesAsync(this.pair, 2, n, new Float32Array([1, 1]), 0, 0, 0n, 0n, this.total);
    for (const row of rows) {
      this.summed++;
      this.weightSum += row.update.weight;
    }
    return outcomes;
  }

  private acceptable(norm: number): boolean {
    return Number.isFinite(norm) && norm <= this.poisonNormLimit;
  }

  private rejection(norm: number): string {
    if (!Number.isFinite(norm)) return `update norm is ${norm} (NaN or infinite values)`;
    return `update norm ${norm.toPrecision(4)} exceeds the poison limit ${this.poisonNormLimit.toPrecision(4)}`;
  }
}
