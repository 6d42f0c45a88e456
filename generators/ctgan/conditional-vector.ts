/**
 * CTGAN's conditional vector and training-by-sampling (Xu et al. 2019, §4.3):
 *
 * - the conditional vector is the concatenation of one zero vector per discrete column, with a
 *   single 1 at the chosen category of the chosen column;
 * - training-by-sampling: pick a discrete column uniformly, pick one of its categories with
 *   probability ∝ log(1 + count) (so rare categories are seen often enough to be learned), then
 *   pick a real row uniformly among the rows holding that category — the discriminator compares
 *   the generator's rows with real rows of the same condition;
 * - at generation time the category is drawn with its real frequency instead, so unconditioned
 *   samples keep the table's marginals.
 *
 * All draws are seeded: uniforms from the kernels' Philox stream, keyed by a running counter.
 */
import { philoxUniform } from "../../kernels/index.js";

export interface DiscreteColumnCounts {
  /** Each row's one-hot position in this column. */
  positions: Int32Array;
  /** Number of categories (one-hot width). */
  categoryCount: number;
}

export interface ConditionBatch {
  /** rows × condWidth, row-major, one 1 per row (all zeros when the table has no discrete column). */
  cond: Float32Array;
  /** Per row: the chosen discrete column (index into the discrete columns), −1 when there is none. */
  columns: Int32Array;
  /** Per row: the chosen one-hot position within that column. */
  categories: Int32Array;
  /** Per row: the real row drawn for the condition (training batches only). */
  rowIndices: Int32Array;
}

/** Index of the first cumulative weight above u·total (cumulative is nondecreasing, last = total). */
function pick(cumulative: Float64Array, u: number): number {
  const target = u * cumulative[cumulative.length - 1]!;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (cumulative[mid]! > target) high = mid;
    else low = mid + 1;
  }
  return low;
}

export class ConditionalVectorSampler {
  readonly condWidth: number;
  /** Offset of each discrete column's one-hot in the conditional vector. */
  readonly offsets: number[];
  private readonly logCumulative: Float64Array[];
  private readonly frequencyCumulative: Float64Array[];
  /** Per column, per category: the rows holding it (concatenated) and where each category's rows start. */
  private readonly rowsByCategory: { rows: Int32Array; starts: Int32Array }[];
  private readonly rowCount: number;
  private readonly seed: bigint;
  private counter = 0n;

  constructor(columns: readonly DiscreteColumnCounts[], rowCount: number, seed: bigint) {
    this.rowCount = rowCount;
    this.seed = seed;
    this.offsets = [];
    let offset = 0;
    this.logCumulative = [];
    this.frequencyCumulative = [];
    this.rowsByCategory = [];
    for (const column of columns) {
      this.offsets.push(offset);
      offset += column.categoryCount;
      const counts = new Float64Array(column.categoryCount);
      for (let r = 0; r < column.positions.length; r++) counts[column.positions[r]!]! += 1;
      const logC = new Float64Array(column.categoryCount);
      const freqC = new Float64Array(column.categoryCount);
      const starts = new Int32Array(column.categoryCount + 1);
      let logSum = 0;
      let freqSum = 0;
      for (let k = 0; k < column.categoryCount; k++) {
        logSum += Math.log1p(counts[k]!);
        freqSum += counts[k]!;
        logC[k] = logSum;
        freqC[k] = freqSum;
        starts[k + 1] = starts[k]! + counts[k]!;
      }
      const fill = starts.slice(0, column.categoryCount);
      const rows = new Int32Array(column.positions.length);
      for (let r = 0; r < column.positions.length; r++) rows[fill[column.positions[r]!]!++] = r;
      this.logCumulative.push(logC);
      this.frequencyCumulative.push(freqC);
      this.rowsByCategory.push({ rows, starts });
    }
    this.condWidth = offset;
  }

  get discreteColumnCount(): number {
    return this.offsets.length;
  }

  private uniforms(count: number): Float64Array {
    const out = new Float64Array(count);
    if (count > 0) philoxUniform(this.seed, this.counter, out);
    this.counter += BigInt(count);
    return out;
  }

  /** A training batch: conditions by log-frequency and, for each, a real row that meets it. */
  sampleTraining(batchRows: number): ConditionBatch {
    const u = this.uniforms(batchRows * 3);
    const batch = this.emptyBatch(batchRows);
    for (let i = 0; i < batchRows; i++) {
      if (this.discreteColumnCount === 0) {
        batch.rowIndices[i] = Math.min(this.rowCount - 1, Math.floor(u[3 * i]! * this.rowCount));
        continue;
      }
      const column = Math.min(this.discreteColumnCount - 1, Math.floor(u[3 * i]! * this.discreteColumnCount));
      const category = pick(this.logCumulative[column]!, u[3 * i + 1]!);
      this.setCondition(batch, i, column, category);
      const { rows, starts } = this.rowsByCategory[column]!;
      const count = starts[category + 1]! - starts[category]!;
      batch.rowIndices[i] = rows[starts[category]! + Math.min(count - 1, Math.floor(u[3 * i + 2]! * count))]!;
    }
    return batch;
  }

  /** A generation batch: a uniformly chosen column, its category drawn with the real frequency. */
  sampleGeneration(batchRows: number): ConditionBatch {
    const batch = generationConditions(this.frequencyCumulative, batchRows, this.seed, this.counter);
    this.counter += BigInt(batchRows * 2);
    return batch;
  }

  /** A generation batch with every row conditioned on one category (`--where column=value`). */
  fixedCondition(batchRows: number, column: number, category: number): ConditionBatch {
    const batch = this.emptyBatch(batchRows);
    for (let i = 0; i < batchRows; i++) this.setCondition(batch, i, column, category);
    return batch;
  }

  private emptyBatch(rows: number): ConditionBatch {
    return emptyBatch(rows, this.condWidth);
  }

  private setCondition(batch: ConditionBatch, row: number, column: number, category: number): void {
    setCondition(batch, this.condWidth, row, this.offsets[column]!, column, category);
  }
}

function emptyBatch(rows: number, condWidth: number): ConditionBatch {
  return {
    cond: new Float32Array(rows * condWidth),
    columns: new Int32Array(rows).fill(-1),
    categories: new Int32Array(rows),
    rowIndices: new Int32Array(rows),
  };
}

function setCondition(batch: ConditionBatch, condWidth: number, row: number, offset: number, column: number, category: number): void {
  batch.columns[row] = column;
  batch.categories[row] = category;
  batch.cond[row * condWidth + offset + category] = 1;
}

/** Cumulative weights of each discrete column's categories (frequencies or counts), for `generationConditions`. */
export function cumulativeOf(weights: readonly (readonly number[])[]): Float64Array[] {
  return weights.map((column) => {
    const out = new Float64Array(column.length);
    let sum = 0;
    column.forEach((w, k) => {
      sum += w;
      out[k] = sum;
    });
    return out;
  });
}

/**
 * Generation-time conditions for rows whose uniforms start at `counter` of `seed`'s stream (2 per
 * row): a uniformly chosen discrete column, its category drawn with the real frequency. Keyed by
 * counter, so row r of a sample gets the same condition whatever the batch it is generated in.
 */
export function generationConditions(cumulative: readonly Float64Array[], rows: number, seed: bigint, counter: bigint): ConditionBatch {
  const condWidth = cumulative.reduce((s, c) => s + c.length, 0);
  const batch = emptyBatch(rows, condWidth);
  if (cumulative.length === 0 || rows === 0) return batch;
  const u = new Float64Array(rows * 2);
  philoxUniform(seed, counter, u);
  const offsets: number[] = [];
  let offset = 0;
  for (const c of cumulative) {
    offsets.push(offset);
    offset += c.length;
  }
  for (let i = 0; i < rows; i++) {
    const column = Math.min(cumulative.length - 1, Math.floor(u[2 * i]! * cumulative.length));
    setCondition(batch, condWidth, i, offsets[column]!, column, pick(cumulative[column]!, u[2 * i + 1]!));
  }
  return batch;
}
