/**
 * Sampling from a tree model and decoding cells back to values: a compressed cell → one of its
 * original cells (by the group's weights) → a value (a label; a number uniform within its cell's
 * range, rounded as the schema says; null for the missing cell). id and personal-data columns are
 * regenerated as the copula does.
 *
 * Cells are allocated by rounding, not drawn independently per row (the "round" method of
 * Private-PGM's synthetic_data, McKenna et al. 2019): within a block of rows, the root's cells get
 * ⌊m·p⌋ rows each and the remainder goes to cells drawn in proportion to the fractional parts
 * (without replacement); then, for each child and each parent cell holding m rows, the same with
 * P(child | parent), the rows of a parent cell shuffled first. The synthetic table's tree
 * marginals then match the model's to within one row per cell instead of carrying multinomial
 * sampling noise (≈ √(cells / n) in total variation). It is post-processing of the model.
 *
 * Determinism: rows are produced in fixed blocks of BLOCK_ROWS (the last one holds the rest of
 * `totalRows`); block b uses the kernels' Philox uniforms of `seed` at counters derived from
 * (b, attribute, purpose), so the same model, seed and total give the same rows whatever chunks
 * a caller asks for.
 */
import { philoxUniform } from "../../kernels/index.js";
import { type Column, fakePiiValues, makeIds, parseIdPattern, type Table, type TableSchema } from "../../tabular/index.js";
import type { DiscreteAttribute } from "../discrete-domain.js";
import { GeneratorError } from "../errors.js";
import type { MstModel } from "./mst-model.js";

export const BLOCK_ROWS = 65_536;
/** Counter space per (block, attribute, purpose): more than any purpose draws in one block. */
const COUNTER_STRIDE = 1n << 24n;

/** Rows allocated to each cell: ⌊m·p⌋, plus one for `m − Σ⌊m·p⌋` cells drawn ∝ the fractional parts. */
export function allocate(m: number, probabilities: readonly number[], offset: number, width: number, uniforms: Float64Array, u0: number): Int32Array {
  const counts = new Int32Array(width);
  let total = 0;
  for (let c = 0; c < width; c++) total += probabilities[offset + c]!;
  if (total <= 0) total = 1;
  let assigned = 0;
  const keys: { c: number; key: number }[] = [];
  for (let c = 0; c < width; c++) {
    const exact = (m * probabilities[offset + c]!) / total;
    const whole = Math.floor(exact);
    counts[c] = whole;
    assigned += whole;
    const fraction = exact - whole;
    // Efraimidis & Spirakis 2006: the k largest u^(1/w) are a weighted sample without replacement.
    if (fraction > 0) keys.push({ c, key: Math.log(uniforms[u0 + c]! || Number.MIN_VALUE) / fraction });
  }
  keys.sort((a, b) => b.key - a.key);
  for (let k = 0; k < m - assigned && k < keys.length; k++) counts[keys[k]!.c]!++;
  // Rounding can leave a row over when every fraction is 0 after float error: give it to the largest cell.
  let left = m - assigned - Math.min(m - assigned, keys.length);
  while (left-- > 0) counts[argmax(probabilities, offset, width)]!++;
  return counts;
}

function argmax(values: readonly number[], offset: number, width: number): number {
  let best = 0;
  for (let c = 1; c < width; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}

export class MstSampler {
  readonly schema: TableSchema;
  private readonly model: MstModel;
  private readonly seed: bigint;
  private readonly totalRows: number;
  private readonly sizes: number[];
  private readonly groupCumulative: Float64Array[][];
  private cached: { block: number; values: (Float64Array | Int32Array)[] } | null = null;

  constructor(model: MstModel, options: { seed?: bigint | number; totalRows: number }) {
    this.model = model;
    this.schema = model.schema;
    this.seed = BigInt.asUintN(64, BigInt(options.seed ?? 0));
    this.totalRows = options.totalRows;
    for (const column of model.schema.columns) if (column.type === "id") parseIdPattern(column.pattern);
    this.sizes = model.compression.map((c) => c.groups.length);
    this.groupCumulative = model.compression.map((c) => c.groupWeights.map((w) => cumulativeOf(w)));
  }

  /** Rows startRow … startRow + rows − 1 of the synthetic table (within totalRows). */
  async sampleChunk(startRow: number, rows: number): Promise<Table> {
    if (!Number.isSafeInteger(startRow) || startRow < 0 || !Number.isSafeInteger(rows) || rows < 0 || startRow + rows > Math.max(this.totalRows, startRow)) {
      throw new GeneratorError(
        `cannot sample rows ${startRow}…${startRow + rows} of ${this.totalRows}; give whole, non-negative row numbers within the total.`,
      );
    }
    const values = gatherBlockRows(this.model.attributes, startRow, rows, (b) => this.block(b));
    return await Promise.resolve(this.assemble(values, startRow, rows));
  }

  private uniforms(block: number, attribute: number, purpose: number, length: number): Float64Array {
    const out = new Float64Array(length);
    const stream = (BigInt(block) * BigInt(this.sizes.length) + BigInt(attribute)) * 4n + BigInt(purpose);
    if (length > 0) philoxUniform(this.seed, stream * COUNTER_STRIDE, out);
    return out;
  }

  /** The decoded values of every attribute for block b. */
  private block(b: number): (Float64Array | Int32Array)[] {
    if (this.cached?.block === b) return this.cached.values;
    const m = Math.min(BLOCK_ROWS, this.totalRows - b * BLOCK_ROWS);
    const cells = this.sizes.map(() => new Int32Array(m));
    for (const i of this.model.order) {
      const width = this.sizes[i]!;
      const parent = this.model.parent[i]!;
      const remainderUniforms = this.uniforms(b, i, 0, parent < 0 ? width : this.sizes[parent]! * width);
      const shuffle = this.uniforms(b, i, 1, m);
      const out = cells[i]!;
      // Rows grouped by parent cell (one group for the root), each group shuffled, then filled by allocation.
      const groups = parent < 0 ? [Int32Array.from({ length: m }, (_, k) => k)] : rowsByCell(cells[parent]!, this.sizes[parent]!);
      const groupStart = new Int32Array(groups.length);
      for (let a = 1; a < groups.length; a++) groupStart[a] = groupStart[a - 1]! + groups[a - 1]!.length;
      groups.forEach((rowsOfGroup, a) => {
        if (rowsOfGroup.length === 0) return;
        // Fisher–Yates with a fresh uniform per position: indexing the uniforms by the row id at position k
        // would reuse a row's uniform after it is swapped down, and the shuffle would not be uniform.
        const base = groupStart[a]!;
        for (let k = rowsOfGroup.length - 1; k > 0; k--) {
          const j = Math.floor(shuffle[base + k]! * (k + 1));
          [rowsOfGroup[k], rowsOfGroup[j]] = [rowsOfGroup[j]!, rowsOfGroup[k]!];
        }
        const counts = allocate(
          rowsOfGroup.length,
          this.model.probabilities[i]!,
          parent < 0 ? 0 : a * width,
          width,
          remainderUniforms,
          parent < 0 ? 0 : a * width,
        );
        let k = 0;
        for (let c = 0; c < width; c++) for (let n = 0; n < counts[c]!; n++) out[rowsOfGroup[k++]!] = c;
      });
    }
    const values = this.model.attributes.map((attribute, i) => {
      const memberUniforms = this.uniforms(b, i, 2, m);
      const valueUniforms = this.uniforms(b, i, 3, m);
      const out = attribute.kind === "numeric" ? new Float64Array(m) : new Int32Array(m);
      const compression = this.model.compression[i]!;
      for (let r = 0; r < m; r++) {
        const cell = cells[i]![r]!;
        const group = compression.groups[cell]!;
        const member = group.length === 1 ? 0 : pickCumulative(this.groupCumulative[i]![cell]!, memberUniforms[r]!);
        decodeInto(attribute, group[member]!, valueUniforms[r]!, out, r);
      }
      return out;
    });
    this.cached = { block: b, values };
    return values;
  }

  private assemble(values: (Float64Array | Int32Array)[], startRow: number, rows: number): Table {
    return assembleDecodedTable(this.schema, this.model.attributes, values, startRow, rows, this.seed);
  }
}

/**
 * Rows startRow … startRow + rows − 1 of each attribute's cells or values, copied out of the
 * fixed blocks of BLOCK_ROWS that `block(b)` samples (the same rows whatever the chunking).
 */
export function gatherBlockRows(
  attributes: readonly { kind: string }[],
  startRow: number,
  rows: number,
  block: (b: number) => (Float64Array | Int32Array)[],
): (Float64Array | Int32Array)[] {
  const values = attributes.map((attribute) => (attribute.kind === "numeric" ? new Float64Array(rows) : new Int32Array(rows)));
  let r = 0;
  while (r < rows) {
    const row = startRow + r;
    const b = Math.floor(row / BLOCK_ROWS);
    const blockValues = block(b);
    const from = row - b * BLOCK_ROWS;
    const take = Math.min(rows - r, blockValues[0] === undefined ? rows - r : blockValues[0].length - from);
    values.forEach((out, i) => {
      out.set(blockValues[i]!.subarray(from, from + take), r);
    });
    r += take;
  }
  return values;
}

/**
 * The synthetic table from decoded attribute values (numbers, or label codes with −1 for null);
 * id and personal-data columns are regenerated from `seed` as the copula does. Shared by the tree
 * (MST) and junction-tree (AIM) samplers.
 */
export function assembleDecodedTable(
  schema: TableSchema,
  attributes: readonly DiscreteAttribute[],
  values: (Float64Array | Int32Array)[],
  startRow: number,
  rows: number,
  seed: bigint,
): Table {
  const byColumn = new Map(attributes.map((attribute, i) => [attribute.column, { attribute, values: values[i]! }]));
  const columns: Column[] = schema.columns.map((column, index) => {
    const modelled = byColumn.get(index);
    if (column.type === "id") return { schema: column, values: makeIds(column, startRow, rows, seed) };
    if (column.type === "pii")
      return { schema: column, values: column.action === "drop" ? new Array<string | null>(rows).fill(null) : fakePiiValues(column, startRow, rows, seed) };
    if (modelled === undefined) throw new GeneratorError(`column "${column.name}" of the model has no attribute; refit the model.`);
    if (column.type === "categorical" || column.type === "boolean") {
      if (modelled.attribute.kind !== "categorical")
        throw new GeneratorError(`column "${column.name}" of the model does not match its schema; refit the model.`);
      return { schema: column, codes: modelled.values as Int32Array, categories: [...modelled.attribute.labels] };
    }
    return column.type === "numerical"
      ? { schema: column, values: modelled.values as Float64Array }
      : { schema: column, values: modelled.values as Float64Array };
  });
  return { rowCount: rows, columns };
}

export function rowsByCell(cells: Int32Array, size: number): Int32Array[] {
  const counts = new Int32Array(size);
  for (const c of cells) counts[c]!++;
  const groups = Array.from(counts, (n) => new Int32Array(n));
  const filled = new Int32Array(size);
  for (let r = 0; r < cells.length; r++) {
    const c = cells[r]!;
    groups[c]![filled[c]!++] = r;
  }
  return groups;
}

export function cumulativeOf(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, k) => {
    sum += w;
    out[k] = sum;
  });
  return out;
}

export function pickCumulative(cumulative: Float64Array, u: number): number {
  const target = u * cumulative[cumulative.length - 1]!;
  for (let c = 0; c < cumulative.length - 1; c++) if (target < cumulative[c]!) return c;
  return cumulative.length - 1;
}

/** Writes the value of original cell `cell` (u picks the value within a numeric cell) into out[r]. */
export function decodeInto(attribute: DiscreteAttribute, cell: number, u: number, out: Float64Array | Int32Array, r: number): void {
  const missing = attribute.size - 1;
  if (attribute.kind === "categorical") {
    out[r] = cell === missing ? -1 : cell;
    return;
  }
  if (cell === missing) {
    out[r] = Number.NaN;
    return;
  }
  const lo = attribute.lower[cell]!;
  const hi = attribute.upper[cell]!;
  if (attribute.integer) out[r] = lo + Math.min(hi - lo, Math.floor(u * (hi - lo + 1)));
  else {
    const scale = 10 ** Math.min(attribute.decimals, 15);
    out[r] = Math.min(hi, Math.max(lo, Math.round((lo + u * (hi - lo)) * scale) / scale));
  }
}

/** Samples `rows` rows into one in-memory table. */
export async function sampleMstTable(model: MstModel, rows: number, options: { seed?: bigint | number } = {}): Promise<Table> {
  const sampler = new MstSampler(model, { ...options, totalRows: rows });
  return await sampler.sampleChunk(0, rows);
}
