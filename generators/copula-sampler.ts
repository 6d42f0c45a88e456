/**
 * Samples rows from a fitted Gaussian copula, one chunk at a time.
 *
 * Determinism: row r (global index, 0-based) uses the kernel's Philox stream of `seed` at
 * counter r·d … r·d + d − 1 and, under conditions, the Gibbs uniforms of a second stream at
 * r·uniformsPerRow …; id and personal-data columns are keyed by (seed, r) too. So the same model,
 * seed, conditions and row count give the same rows whatever the chunk size or the machine, and
 * the writer turns them into the same bytes (CPU vs CUDA: normals agree to 1e-13, see README).
 *
 * Post-processing per column: null indicator → null; integers rounded, floats rounded to the
 * column's decimals, datetimes to the step seen in training (a day, an hour, …); conditioned
 * numerical columns clamped into their condition's range; categories mapped back to codes.
 */
import { type CopulaSampleRequest, copulaSample, copulaSampleAsync, philoxUniform } from "../kernels/index.js";
import { fakePiiValues, makeIds, parseIdPattern } from "../tabular/index.js";
import type { Column, ColumnSchema, Table, TableSchema } from "../tabular/index.js";
import { type ConditionalGaussian, drawConditioned, freeMeans, prepareConditionalGaussian } from "./conditional-gaussian.js";
import { type ConditionPlan, planConditions } from "./conditioning.js";
import type { CopulaModel, DerivedColumn, Rounding } from "./copula-model.js";
import { cholesky } from "./correlation-matrix.js";
import { categoryIndexAt, kernelTableOf, tableValueAt } from "./dimension-tables.js";
import { GeneratorError } from "./errors.js";
import { type ConditionTerm, parseWhere } from "./where-syntax.js";

/** Rows per kernel call: 64k rows × d doubles stays in L2-friendly slices and bounds memory. */
export const DEFAULT_CHUNK_ROWS = 65_536;

/** Mixed into the seed for the Gibbs stream so it never overlaps the copula's normals. */
const GIBBS_STREAM_SALT = 0x9e3779b97f4a7c15n;

export interface SamplerOptions {
  seed?: bigint | number;
  /** `--where` text or already-parsed terms. */
  where?: string | readonly ConditionTerm[];
}

/**
 * Below this many output cells the kernel runs on the calling thread: a hop to a koffi worker
 * thread and back costs more than sampling a few thousand cells (a 100-row SAMPLE task spent
 * most of its kernel time in the hop). Above it the event loop stays free while the kernel runs.
 */
const SYNC_KERNEL_MAX_CELLS = 16_384;

function runCopulaKernel(request: CopulaSampleRequest, out: Float64Array): Promise<void> {
  if (request.rows * request.columns.length > SYNC_KERNEL_MAX_CELLS) return copulaSampleAsync(request, out);
  copulaSample(request, out);
  return Promise.resolve();
}

export class CopulaSampler {
  readonly model: CopulaModel;
  readonly seed: bigint;
  /** The schema of the sampled tables (the model's; dropped pii columns are dropped by the writer). */
  readonly schema: TableSchema;
  readonly conditions: ConditionPlan;
  private readonly d: number;
  private readonly tables: ReturnType<typeof kernelTableOf>[];
  private readonly choleskyFactor: Float64Array;
  private readonly conditional: ConditionalGaussian | null;
  /** Kernel output, reused across chunks: a fresh 8 MB buffer per chunk keeps the GC busy. */
  private kernelOut = new Float64Array(0);
  private busy = false;

  constructor(model: CopulaModel, options: SamplerOptions = {}) {
    this.model = model;
    this.seed = BigInt.asUintN(64, BigInt(options.seed ?? 0));
    this.schema = model.schema;
    this.d = model.dimensions.length;
    this.tables = model.dimensions.map((dimension) => kernelTableOf(model, dimension));
    const correlation = Float64Array.from(model.correlation);
    const factor = cholesky(correlation, this.d);
    if (factor === null) throw new GeneratorError("the model's correlation matrix is not positive definite; refit the model.");
    this.choleskyFactor = factor;
    const terms = options.where === undefined ? [] : typeof options.where === "string" ? parseWhere(options.where) : options.where;
    // A bad id pattern fails here, before a sampling run creates any file.
    for (const column of model.schema.columns) if (column.type === "id") parseIdPattern(column.pattern);
    this.conditions = planConditions(model, terms);
    this.conditional = this.conditions.dimensions.length > 0 ? prepareConditionalGaussian(correlation, this.d, this.conditions.dimensions) : null;
  }

  /** Rows startRow … startRow + rows − 1 of the synthetic table. */
  async sampleChunk(startRow: number, rows: number): Promise<Table> {
    if (!Number.isSafeInteger(startRow) || startRow < 0 || !Number.isSafeInteger(rows) || rows < 0) {
      throw new GeneratorError(`cannot sample rows ${startRow}…${startRow + rows}; give whole, non-negative row numbers.`);
    }
    // Chunks share the kernel buffer: one at a time per sampler (use two samplers for parallel work).
    if (this.busy)
      throw new GeneratorError("sampleChunk was called again before the previous chunk finished; await each chunk, or use one sampler per concurrent stream.");
    this.busy = true;
    try {
      const dimensionValues = await this.sampleDimensions(startRow, rows);
      return this.assemble(dimensionValues, startRow, rows);
    } finally {
      this.busy = false;
    }
  }

  private kernelBuffer(length: number): Float64Array {
    if (this.kernelOut.length < length) this.kernelOut = new Float64Array(length);
    return this.kernelOut.subarray(0, length);
  }

  /** Each dimension's decoded output (numeric value or category position) for the chunk. */
  private async sampleDimensions(startRow: number, rows: number): Promise<Float64Array[]> {
    const values: Float64Array[] = new Array(this.d);
    if (this.d === 0 || rows === 0) {
      for (let i = 0; i < this.d; i++) values[i] = new Float64Array(rows);
      return values;
    }
    const counterOffset = BigInt(startRow);
    if (this.conditional === null) {
      const out = this.kernelBuffer(rows * this.d);
      await runCopulaKernel({ rows, cholesky: this.choleskyFactor, columns: this.tables, seed: this.seed, counterOffset }, out);
      for (let i = 0; i < this.d; i++) values[i] = out.subarray(i * rows, (i + 1) * rows);
      return values;
    }
    const c = this.conditional;
    const nc = c.conditioned.length;
    const uniforms = new Float64Array(rows * c.uniformsPerRow);
    if (uniforms.length > 0) philoxUniform(BigInt.asUintN(64, this.seed ^ GIBBS_STREAM_SALT), counterOffset * BigInt(c.uniformsPerRow), uniforms);
    const zc = drawConditioned(c, uniforms, rows);
    c.conditioned.forEach((dimension, k) => {
      const table = this.tables[dimension]!;
      const column = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const z = zc[r * nc + k]!;
        column[r] = table.kind === "numeric" ? tableValueAt(table.table, table.zMin, table.zMax, z) : categoryIndexAt(table.table, z);
      }
      values[dimension] = column;
    });
    const nf = c.free.length;
    if (nf > 0) {
      const out = this.kernelBuffer(rows * nf);
      const mean = freeMeans(c, zc, rows);
      const columns = c.free.map((dimension) => this.tables[dimension]!);
      await runCopulaKernel({ rows, cholesky: c.freeCholesky, mean, columns, seed: this.seed, counterOffset }, out);
      c.free.forEach((dimension, k) => {
        values[dimension] = out.subarray(k * rows, (k + 1) * rows);
      });
    }
    return values;
  }

  private assemble(dimensionValues: Float64Array[], startRow: number, rows: number): Table {
    const columns: Column[] = [];
    this.model.columns.forEach((columnModel, index) => {
      const schema = this.model.schema.columns[index]!;
      if (columnModel.kind !== "text" && columnModel.derived !== undefined) {
        columns.push(schema as unknown as Column); // placeholder: derived columns are computed once their sources exist
      } else if (columnModel.kind === "numeric" && (schema.type === "numerical" || schema.type === "datetime")) {
        const values = new Float64Array(rows);
        const source = columnModel.valueDimension === null ? null : dimensionValues[columnModel.valueDimension]!;
        const fill = columnModel.constant ?? Number.NaN;
        if (source === null) values.fill(fill);
        else roundInto(values, source, columnModel.rounding);
        const constraint = this.conditions.values.find((v) => v.column === index);
        if (constraint !== undefined) for (let r = 0; r < rows; r++) values[r] = Math.min(constraint.high, Math.max(constraint.low, values[r]!));
        if (columnModel.nullDimension !== null) {
          const isNull = dimensionValues[columnModel.nullDimension]!;
          for (let r = 0; r < rows; r++) if (isNull[r] === 1) values[r] = Number.NaN;
        }
        columns.push(schema.type === "numerical" ? { schema, values } : { schema, values });
      } else if (columnModel.kind === "categorical" && (schema.type === "categorical" || schema.type === "boolean")) {
        const codes = new Int32Array(rows);
        const order = Int32Array.from(columnModel.order);
        const dimension = columnModel.dimension === null ? undefined : this.model.dimensions[columnModel.dimension];
        if (columnModel.dimension === null) codes.fill(order[0] ?? -1);
        else if (dimension?.role === "joint") {
          // A joint cell carries every member's category: this member's is at its place in `members`.
          const member = dimension.members!.indexOf(index);
          const cellCodes = Int32Array.from(dimension.cells!, (cell) => cell[member]!);
          const positions = dimensionValues[columnModel.dimension]!;
          for (let r = 0; r < rows; r++) codes[r] = cellCodes[positions[r]! | 0]!;
        } else {
          // Positions are whole numbers stored as doubles; `| 0` makes the lookup an integer index.
          const positions = dimensionValues[columnModel.dimension]!;
          for (let r = 0; r < rows; r++) codes[r] = order[positions[r]! | 0]!;
        }
        columns.push({ schema, codes, categories: [...columnModel.categories] });
      } else if (schema.type === "id") {
        // Never learned: fresh ids of the schema's pattern keyed by (seed, global row), unique across chunks.
        columns.push({ schema, values: makeIds(schema, startRow, rows, this.seed) });
      } else if (schema.type === "pii") {
        // Never learned: format-preserving fakes keyed by (seed, global row), or nulls that the writer leaves out.
        columns.push({
          schema,
          values: schema.action === "drop" ? new Array<string | null>(rows).fill(null) : fakePiiValues(schema, startRow, rows, this.seed),
        });
      } else {
        throw new GeneratorError(`column "${schema.name}" of the model does not match its schema; refit the model.`);
      }
    });
    this.model.columns.forEach((columnModel, index) => {
      if (columnModel.kind === "text" || columnModel.derived === undefined) return;
      const categories = columnModel.kind === "categorical" ? columnModel.categories : [];
      columns[index] = derivedColumn(this.model.schema.columns[index]!, categories, columnModel.derived, columns[columnModel.derived.source]!, rows);
    });
    return { rowCount: rows, columns };
  }
}

/** A derived column from its source's sampled column (`copy`: the same numbers; `map`: a lookup by the source's code). */
function derivedColumn(schema: ColumnSchema, categories: string[], rule: DerivedColumn, source: Column, rows: number): Column {
  if (rule.kind === "copy") {
    if (!("values" in source) || !(source.values instanceof Float64Array) || (schema.type !== "numerical" && schema.type !== "datetime")) {
      throw new GeneratorError(`column "${schema.name}" is a copy of a column that is not numerical; refit the model.`);
    }
    return { schema, values: Float64Array.from(source.values) } as Column;
  }
  if (!("codes" in source)) throw new GeneratorError(`column "${schema.name}" is derived from a column that is not categorical; refit the model.`);
  const map = rule.map;
  if (schema.type === "categorical" || schema.type === "boolean") {
    const codes = new Int32Array(rows);
    for (let r = 0; r < rows; r++) codes[r] = map[source.codes[r]! + 1] ?? -1;
    return { schema, codes, categories: [...categories] } as Column;
  }
  const values = new Float64Array(rows);
  for (let r = 0; r < rows; r++) values[r] = map[source.codes[r]! + 1] ?? Number.NaN;
  return { schema, values } as Column;
}

export function roundInto(out: Float64Array, source: Float64Array, rounding: Rounding): void {
  const n = out.length;
  if (rounding.kind === "integer") {
    for (let r = 0; r < n; r++) out[r] = Math.round(source[r]!) + 0;
  } else if (rounding.kind === "step") {
    const step = rounding.stepMs;
    for (let r = 0; r < n; r++) out[r] = Math.round(source[r]! / step) * step + 0;
  } else {
    const scale = 10 ** Math.min(rounding.decimals, 15);
    for (let r = 0; r < n; r++) out[r] = Math.round(source[r]! * scale) / scale + 0;
  }
}

/** Samples `rows` rows into one in-memory table (chunked internally). */
export async function sampleTable(model: CopulaModel, rows: number, options: SamplerOptions & { chunkRows?: number } = {}): Promise<Table> {
  const sampler = new CopulaSampler(model, options);
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const chunks: Table[] = [];
  for (let start = 0; start < rows; start += chunkRows) chunks.push(await sampler.sampleChunk(start, Math.min(chunkRows, rows - start)));
  if (chunks.length === 1) return chunks[0]!;
  return concatenateTables(chunks, rows, await sampler.sampleChunk(0, 0));
}

/** Chunks of one table's rows, in order, as one table; `empty` gives the columns (a 0-row chunk). */
export function concatenateTables(chunks: Table[], rows: number, empty: Table): Table {
  const columns = empty.columns.map((column, c): Column => {
    if ("codes" in column) {
      const codes = new Int32Array(rows);
      let offset = 0;
      for (const chunk of chunks) {
        const part = (chunk.columns[c] as { codes: Int32Array }).codes;
        codes.set(part, offset);
        offset += part.length;
      }
      return { ...column, codes };
    }
    if (column.values instanceof Float64Array) {
      const values = new Float64Array(rows);
      let offset = 0;
      for (const chunk of chunks) {
        const part = (chunk.columns[c] as { values: Float64Array }).values;
        values.set(part, offset);
        offset += part.length;
      }
      return { ...column, values } as Column;
    }
    const values: (string | null)[] = [];
    for (const chunk of chunks) for (const value of (chunk.columns[c] as { values: (string | null)[] }).values) values.push(value);
    return { ...column, values } as Column;
  });
  return { rowCount: rows, columns };
}
