/**
 * The round's running sum, fed update by update as they arrive — never all updates at once.
 * Memory: the sum row S and `slots` update buffers; a scratch row P (the robust strategies'
 * output) only once one asks for it. An update is read from the chunk store straight into a
 * free slot.
 *
 * Clip-and-sum reads each update from memory once (kernels 5b):
 * 1. While a slot is filled, piece by piece (one stored chunk at a time), the squared norm of
 *    each piece is taken while the piece is still in cache (SlotNorm.advance → sumSquares).
 * 2. With every norm known, the batch is screened — a NaN or infinite norm, or one above the
 *    poison limit, is rejected and never touches S — and the accepted updates are added in one
 *    pass, in place: S ← S + Σ_k w_k · min(1, C/‖u_k‖) · u_k (accumulateScaled: the sum over the
 *    batch in double, S rounded to float32 once per batch).
 * Per update that is 4n bytes read from memory, plus S read and written once per batch
 * (8n/batch); the one-call kernel it replaces read every row of the batch twice and the previous
 * sum as one more row, then wrote a second sum row.
 */
import { accumulateScaledAsync, sumSquares } from "../../kernels/index.js";

export interface StreamingSumOptions {
  /** L2 bound C each update is clipped to; 0 = no clipping. */
  readonly clipNorm: number;
  /** Updates whose norm exceeds this are rejected as poisoned (Infinity = only NaN/Inf). */
  readonly poisonNormLimit: number;
  /** Update buffers held at once (updates in flight in memory); default 4. */
  readonly slots?: number;
}

/**
 * The squared norm of a slot, taken as its bytes arrive in order: after writing the slot's first
 * `bytes` bytes, a filler calls advance(bytes) and the whole floats among them not yet counted
 * are added (while they are in cache). Floats a filler never reported are counted at the end.
 * The result depends only on the slot's values and the pieces reported (a fixed chunking gives
 * the same bits).
 */
export class SlotNorm {
  private readonly values: Float32Array;
  private counted = 0;
  private sumOfSquares = 0;

  constructor(values: Float32Array) {
    this.values = values;
  }

  advance(bytes: number): void {
    const upTo = Math.min(this.values.length, Math.floor(bytes / 4));
    if (upTo <= this.counted) return;
    this.sumOfSquares += sumSquares(this.values.subarray(this.counted, upTo));
    this.counted = upTo;
  }

  /** ‖slot‖₂ once the slot is full. */
  finish(): number {
    this.advance(this.values.length * 4);
    return Math.sqrt(this.sumOfSquares);
  }
}

/** One update to add: its weight and a function that writes its float32 bytes into a slot. */
export interface PendingUpdate {
  readonly weight: number;
  /** Fills the slot in order; reporting progress to `norm` lets the norm be taken while each piece is in cache. */
  readonly fill: (slot: Uint8Array, norm: SlotNorm) => Promise<void>;
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
  /** [S | slot 1 … slot B]: the running sum and the update slots. */
  private readonly block: Float32Array;
  /** P, allocated on first use (median / trimmed mean only) and kept for later rounds. */
  private scratchRow: Float32Array | undefined;
  private clipNorm: number;
  private poisonNormLimit: number;
  private summed = 0;
  private weightSum = 0;

  constructor(parameters: number, options: StreamingSumOptions) {
    this.parameters = parameters;
    this.slotCount = options.slots ?? 4;
    if (!Number.isInteger(this.slotCount) || this.slotCount < 1) throw new RangeError(`slots must be an integer >= 1, got ${this.slotCount}`);
    this.block = new Float32Array((this.slotCount + 1) * parameters);
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
  }

  /** Starts a new round with the same buffers (no new model-sized allocations per round). */
  reset(options: Pick<StreamingSumOptions, "clipNorm" | "poisonNormLimit">): void {
    this.clipNorm = options.clipNorm;
    this.poisonNormLimit = options.poisonNormLimit;
    this.summed = 0;
    this.weightSum = 0;
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
    return this.row(0);
  }

  /** A row the sum is not in: free once the round's updates are summed (robust strategies' output). */
  get scratch(): Float32Array {
    this.scratchRow ??= new Float32Array(this.parameters);
    return this.scratchRow;
  }

  /** Bytes of float32 buffers this sum holds (the sum row, the slots, and P once used). */
  get heldBytes(): number {
    return this.block.byteLength + (this.scratchRow?.byteLength ?? 0);
  }

  private row(index: number): Float32Array {
    return this.block.subarray(index * this.parameters, (index + 1) * this.parameters);
  }

  /**
   * Adds up to `slots` updates (in the given order) and reports each one's fate: fills the slots
   * (norms taken on the way), rejects poisoned ones, and adds the rest into S in one kernel call.
   */
  async addBatch(batch: readonly PendingUpdate[]): Promise<UpdateOutcome[]> {
    if (batch.length === 0) return [];
    if (batch.length > this.slotCount) throw new RangeError(`a batch holds at most ${this.slotCount} updates, got ${batch.length}`);
    const n = this.parameters;
    const norms: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const slot = this.row(1 + i);
      const norm = new SlotNorm(slot);
      await (batch[i] as PendingUpdate).fill(new Uint8Array(slot.buffer, slot.byteOffset, slot.byteLength), norm);
      norms.push(norm.finish());
    }
    const clip = Math.max(this.clipNorm, 0);
    const outcomes: UpdateOutcome[] = norms.map((norm) =>
      this.acceptable(norm) ? { norm, accepted: true, reason: "" } : { norm, accepted: false, reason: this.rejection(norm) },
    );
    // Accepted updates must lie in consecutive slots: move them up over the rejected ones.
    const coef: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      if (!(outcomes[i] as UpdateOutcome).accepted) continue;
      const to = 1 + coef.length;
      if (to !== 1 + i) this.block.copyWithin(to * n, (1 + i) * n, (2 + i) * n);
      const norm = norms[i] as number;
      const weight = (batch[i] as PendingUpdate).weight;
      coef.push(weight * (clip > 0 && norm > clip ? clip / norm : 1));
      this.summed++;
      this.weightSum += weight;
    }
    if (coef.length > 0) await accumulateScaledAsync(this.row(0), this.block.subarray(n, (1 + coef.length) * n), coef.length, Float64Array.from(coef));
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
