/**
 * Ancestral sampling from a tree model, one chunk of rows at a time, and decoding cells back to
 * values: a compressed cell → one of its original cells (by the group's weights) → a value
 * (a label; a number uniform within its cell's range, rounded as the schema says; null for the
 * missing cell). id and personal-data columns are regenerated as the copula does.
 *
 * Determinism: row r uses the kernels' Philox uniforms of `seed` at counters r·3d … r·3d + 3d − 1
 * (three per attribute: cell, original cell, value within the cell), so the same model, seed and
 * row count give the same rows whatever the chunk size.
 */
import { philoxUniform } from "../../kernels/index.js";
import { type Column, fakePiiValues, makeIds, parseIdPattern, type Table, type TableSchema } from "../../tabular/index.js";
import type { DiscreteAttribute } from "../discrete-domain.js";
import { GeneratorError } from "../errors.js";
import type { MstModel } from "./mst-model.js";

/** Cumulative sums of each row of a row-major table with `width` columns. */
function cumulativeRows(probabilities: readonly number[], width: number): Float64Array {
  const out = new Float64Array(probabilities.length);
  for (let start = 0; start < probabilities.length; start += width) {
    let sum = 0;
    for (let c = 0; c < width; c++) {
      sum += probabilities[start + c]!;
      out[start + c] = sum;
    }
    // Guard against rounding: the last cell of a row always catches u < 1.
    for (let c = width - 1; c >= 0 && out[start + c] === sum; c--) out[start + c] = Number.POSITIVE_INFINITY;
  }
  return out;
}

function pick(cumulative: Float64Array, start: number, width: number, total: number, u: number): number {
  const target = u * total;
  for (let c = 0; c < width - 1; c++) if (target < cumulative[start + c]!) return c;
  return width - 1;
}

export class MstSampler {
  readonly schema: TableSchema;
  private readonly model: MstModel;
  private readonly seed: bigint;
  private readonly sizes: number[];
  private readonly cumulative: Float64Array[];
  /** Row totals of each cumulative table (≈ 1; kept so rounding never biases the last cell). */
  private readonly groupCumulative: Float64Array[][];

  constructor(model: MstModel, options: { seed?: bigint | number } = {}) {
    this.model = model;
    this.schema = model.schema;
    this.seed = BigInt.asUintN(64, BigInt(options.seed ?? 0));
    for (const column of model.schema.columns) if (column.type === "id") parseIdPattern(column.pattern);
    this.sizes = model.compression.map((c) => c.groups.length);
    this.cumulative = model.probabilities.map((p, i) => cumulativeRows(p, this.sizes[i]!));
    this.groupCumulative = model.compression.map((c) => c.groupWeights.map((w) => cumulativeRows(w, w.length)));
  }

  /** Rows startRow … startRow + rows − 1 of the synthetic table. */
  async sampleChunk(startRow: number, rows: number): Promise<Table> {
    if (!Number.isSafeInteger(startRow) || startRow < 0 || !Number.isSafeInteger(rows) || rows < 0) {
      throw new GeneratorError(`cannot sample rows ${startRow}…${startRow + rows}; give whole, non-negative row numbers.`);
    }
    const d = this.sizes.length;
    const perRow = 3 * d;
    const uniforms = new Float64Array(rows * perRow);
    if (uniforms.length > 0) philoxUniform(this.seed, BigInt(startRow) * BigInt(perRow), uniforms);
    const cells = this.model.attributes.map(() => new Int32Array(rows));
    const values = this.model.attributes.map((attribute) => (attribute.kind === "numeric" ? new Float64Array(rows) : new Int32Array(rows)));
    for (let r = 0; r < rows; r++) {
      const base = r * perRow;
      for (const i of this.model.order) {
        const parent = this.model.parent[i]!;
        const width = this.sizes[i]!;
        const start = parent < 0 ? 0 : cells[parent]![r]! * width;
        const cell = pick(this.cumulative[i]!, start, width, 1, uniforms[base + 3 * i]!);
        cells[i]![r] = cell;
        const group = this.model.compression[i]!.groups[cell]!;
        const member = group.length === 1 ? 0 : pick(this.groupCumulative[i]![cell]!, 0, group.length, 1, uniforms[base + 3 * i + 1]!);
        decodeInto(this.model.attributes[i]!, group[member]!, uniforms[base + 3 * i + 2]!, values[i]!, r);
      }
    }
    return await Promise.resolve(this.assemble(values, startRow, rows));
  }

  private assemble(values: (Float64Array | Int32Array)[], startRow: number, rows: number): Table {
    const byColumn = new Map(this.model.attributes.map((attribute, i) => [attribute.column, { attribute, values: values[i]! }]));
    const columns: Column[] = this.schema.columns.map((schema, index) => {
      const modelled = byColumn.get(index);
      if (schema.type === "id") return { schema, values: makeIds(schema, startRow, rows, this.seed) };
      if (schema.type === "pii") return { schema, values: schema.action === "drop" ? new Array<string | null>(rows).fill(null) : fakePiiValues(schema, startRow, rows, this.seed) };
      if (modelled === undefined) throw new GeneratorError(`column "${schema.name}" of the model has no attribute; refit the model.`);
      if (schema.type === "categorical" || schema.type === "boolean") {
        if (modelled.attribute.kind !== "categorical") throw new GeneratorError(`column "${schema.name}" of the model does not match its schema; refit the model.`);
        return { schema, codes: modelled.values as Int32Array, categories: [...modelled.attribute.labels] };
      }
      return schema.type === "numerical" ? { schema, values: modelled.values as Float64Array } : { schema, values: modelled.values as Float64Array };
    });
    return { rowCount: rows, columns };
  }
}

/** Writes the value of original cell `cell` (u picks the value within a numeric cell) into out[r]. */
function decodeInto(attribute: DiscreteAttribute, cell: number, u: number, out: Float64Array | Int32Array, r: number): void {
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
export async function sampleMstTable(model: MstModel, rows: number, options: { seed?: bigint | number; chunkRows?: number } = {}): Promise<Table> {
  const sampler = new MstSampler(model, options);
  return await sampler.sampleChunk(0, rows);
}
