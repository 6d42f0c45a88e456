/**
 * Samples rows from a trained CTGAN or TVAE model, one chunk at a time.
 *
 * Rows are produced in fixed blocks of candidates: candidate c uses the Philox stream of `seed`
 * at counters keyed by c (noise, conditional vector, category and α draws each from their own
 * salted stream), so the output depends on the seed and not on the chunk size. Under `--where`
 * (categorical equalities only) the first term's category is put into CTGAN's conditional
 * vector, and candidates that miss any term are dropped (rejection), so every written row meets
 * the condition exactly; chunks must then be asked for in order.
 *
 * Decoding (Xu et al. 2019): CTGAN — α = tanh(output), each softmax span's category is a draw
 * from softmax(logits), taken as argmax(logits + Gumbel noise) (what the τ = 0.2 Gumbel-softmax
 * output followed by argmax amounts to); TVAE — α = tanh(output) + σ·N(0, 1) clipped to [−1, 1]
 * with the learned σ, each span's argmax.
 */
import { philoxNormal, philoxUniform } from "../../kernels/index.js";
import { fakePiiValues, makeIds, parseIdPattern, type Column, type Table, type TableSchema } from "../../tabular/index.js";
import { concatenateTables, roundInto } from "../copula-sampler.js";
import { ConditionError, GeneratorError } from "../errors.js";
import { type ConditionTerm, parseWhere } from "../where-syntax.js";
import { cumulativeOf, generationConditions } from "./conditional-vector.js";
import {
  type ContinuousColumnTransform,
  decodeContinuous,
  decodeDiscrete,
  type DiscreteColumnTransform,
  layoutOf,
  type OutputSpan,
} from "./data-transformer.js";
import type { NeuralModel } from "./neural-model.js";
import {
  EMPTY_CALIBRATION,
  MAX_REDRAWS,
  mapQuantile,
  type PairCheck,
  pairChecks,
  type QuantileMap,
  rowInSupport,
  type SamplingCalibration,
} from "./sampling-calibration.js";

/** The sampling network: input rows × (noiseWidth + condWidth) → raw outputs rows × outWidth (eval mode), a fresh array the sampler activates in place. */
export interface GeneratorNetwork {
  forward(input: Float32Array, rows: number): Float32Array;
  dispose(): void;
}

/** Candidates generated per network call. */
export const SAMPLE_BLOCK_ROWS = 4096;

/** Salts that keep the per-purpose Philox streams apart. */
const NOISE_SALT = 0n;
const CONDITION_SALT = 0x5bd1e995n;
const DECODE_SALT = 0x9e3779b97f4a7c15n;
const REDRAW_SALT = 0x2545f4914f6cdd1dn;
const QUANTILE_SALT = 0x6a09e667f3bcc909n;

/** Blocks in a row without one accepted candidate before a condition is declared too rare. */
const MAX_EMPTY_BLOCKS = 32;

interface PlannedCondition {
  /** Index among the transform's discrete columns. */
  discreteIndex: number;
  /** Table code the rows must hold. */
  code: number;
  /** One-hot position of that code. */
  position: number;
}

export interface NeuralSamplerOptions {
  seed?: bigint | number;
  where?: string | readonly ConditionTerm[];
  /** Overrides the model's own sampling calibration (its fit samples with partial calibrations). */
  calibration?: SamplingCalibration;
}

export class NeuralSampler {
  readonly model: NeuralModel;
  readonly seed: bigint;
  readonly schema: TableSchema;
  private readonly network: GeneratorNetwork;
  private readonly conditions: PlannedCondition[];
  private readonly discrete: DiscreteColumnTransform[];
  private readonly cumulative: Float64Array[];
  private readonly columnStarts: number[];
  private readonly condOffsets: number[];
  private readonly spans: OutputSpan[];
  /** Index among the transform's columns of each discrete column. */
  private readonly discreteTransformIndex: number[];
  private readonly biasAt: Map<number, number[]>;
  private readonly quantileMaps: Map<number, QuantileMap>;
  private readonly pairChecks: PairCheck[];
  /** Accepted decoded rows not yet handed out: each column's values for rows servedRows … */
  private pending: Table | null = null;
  private servedRows = 0;
  private nextCandidate = 0;

  constructor(model: NeuralModel, network: GeneratorNetwork, options: NeuralSamplerOptions = {}) {
    this.model = model;
    this.network = network;
    this.seed = BigInt.asUintN(64, BigInt(options.seed ?? 0));
    this.schema = model.schema;
    for (const column of model.schema.columns) if (column.type === "id") parseIdPattern(column.pattern);
    this.discrete = model.transform.columns.filter((c): c is DiscreteColumnTransform => c.kind === "discrete");
    this.cumulative = cumulativeOf(this.discrete.map((c) => c.frequencies));
    const layout = layoutOf(model.transform.columns);
    this.columnStarts = layout.columnStarts;
    this.spans = layout.spans;
    this.discreteTransformIndex = model.transform.columns.flatMap((c, i) => (c.kind === "discrete" ? [i] : []));
    const calibration = options.calibration ?? model.calibration ?? EMPTY_CALIBRATION;
    this.biasAt = new Map(calibration.logitBiases.map((b) => [b.start, b.biases]));
    this.quantileMaps = new Map(calibration.quantileMaps.map((m) => [m.transformColumn, m]));
    this.pairChecks = pairChecks(calibration.pairSupport, this.discrete);
    this.condOffsets = [];
    let offset = 0;
    for (const column of this.discrete) {
      this.condOffsets.push(offset);
      offset += column.codes.length;
    }
    const terms = options.where === undefined ? [] : typeof options.where === "string" ? parseWhere(options.where) : options.where;
    this.conditions = terms.map((term) => this.planTerm(term));
  }

  private planTerm(term: ConditionTerm): PlannedCondition {
    const discreteIndex = this.discrete.findIndex((c) => c.name === term.column);
    const anyColumn = this.model.schema.columns.find((c) => c.name === term.column);
    if (anyColumn === undefined) {
      throw new ConditionError(
        `"${term.text}": there is no column "${term.column}"; the columns are ${this.model.schema.columns.map((c) => JSON.stringify(c.name)).join(", ")}.`,
      );
    }
    if (discreteIndex < 0 || term.operator !== "=") {
      throw new ConditionError(
        `"${term.text}": a ${this.model.generator} model conditions only on categorical equalities (column=value, through its conditional vector); use --model copula for ranges, != or numerical columns.`,
      );
    }
    const column = this.discrete[discreteIndex]!;
    let code = column.labels.indexOf(term.value);
    if (code < 0 && anyColumn.type === "boolean") code = ["false", "true"].indexOf(term.value.toLowerCase());
    if (code < 0) {
      const folded = column.labels.filter((label) => label.toLowerCase() === term.value.toLowerCase());
      if (folded.length === 1) code = column.labels.indexOf(folded[0]!);
    }
    const position = column.codes.indexOf(code);
    if (code < 0 || position < 0) {
      const shown = column.codes.filter((c) => c >= 0).map((c) => JSON.stringify(column.labels[c]));
      throw new ConditionError(
        `"${term.text}": "${term.value}" never occurs in column "${column.name}"; its values are ${shown.slice(0, 12).join(", ")}${shown.length > 12 ? ` … (${shown.length} in all)` : ""}.`,
      );
    }
    return { discreteIndex, code, position };
  }

  /** Rows startRow … startRow + rows − 1; with conditions, chunks must come in order from row 0. */
  sampleChunk(startRow: number, rows: number): Table {
    if (!Number.isSafeInteger(startRow) || startRow < 0 || !Number.isSafeInteger(rows) || rows < 0) {
      throw new GeneratorError(`cannot sample rows ${startRow}…${startRow + rows}; give whole, non-negative row numbers.`);
    }
    if (this.conditions.length === 0 && startRow !== this.servedRows) {
      // Without conditions candidate c is row c: jump straight there.
      this.pending = null;
      this.servedRows = startRow;
      this.nextCandidate = startRow - (startRow % SAMPLE_BLOCK_ROWS);
      if (this.nextCandidate < startRow) {
        const block = this.generateBlock();
        this.pending = sliceTable(block, startRow - (this.nextCandidate - SAMPLE_BLOCK_ROWS), block.rowCount);
      }
    } else if (startRow !== this.servedRows) {
      throw new GeneratorError(`conditional chunks must be sampled in order: asked for row ${startRow}, next is ${this.servedRows}.`);
    }
    const parts: Table[] = [];
    let have = 0;
    let emptyBlocks = 0;
    while (have < rows) {
      if (this.pending === null || this.pending.rowCount === 0) {
        this.pending = this.generateBlock();
        if (this.pending.rowCount === 0 && ++emptyBlocks >= MAX_EMPTY_BLOCKS) {
          throw new ConditionError(
            `the model produced no row meeting the --where condition in ${MAX_EMPTY_BLOCKS * SAMPLE_BLOCK_ROWS} tries; the combination is too rare for this model — relax the condition or use --model copula.`,
          );
        }
        continue;
      }
      emptyBlocks = 0;
      const take = Math.min(rows - have, this.pending.rowCount);
      parts.push(sliceTable(this.pending, 0, take));
      this.pending = sliceTable(this.pending, take, this.pending.rowCount);
      have += take;
    }
    this.servedRows += rows;
    const table =
      parts.length === 1
        ? parts[0]!
        : concatenateTables(
            parts,
            parts.reduce((sum, part) => sum + part.rowCount, 0),
            this.decodeBlock(new Float32Array(0), 0),
          );
    return this.withTextColumns(table, startRow);
  }

  /** Decodes SAMPLE_BLOCK_ROWS fresh candidates and keeps those meeting the conditions (text columns filled later). */
  private generateBlock(): Table {
    const first = BigInt(this.nextCandidate);
    this.nextCandidate += SAMPLE_BLOCK_ROWS;
    const activated = this.candidateBlock(first);
    const rows = SAMPLE_BLOCK_ROWS;
    const decoded = this.decodeBlock(activated, rows, first);
    if (this.conditions.length === 0) return decoded;
    const keep: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (this.conditions.every((c) => (decoded.columns[this.discrete[c.discreteIndex]!.column] as { codes: Int32Array }).codes[r] === c.code)) keep.push(r);
    }
    return selectRows(decoded, keep);
  }

  /**
   * The activated outputs of candidates first … first + SAMPLE_BLOCK_ROWS − 1 (logit biases
   * applied, rows outside the pair support redrawn), before decoding.
   */
  candidateBlock(first: bigint): Float32Array {
    const rows = SAMPLE_BLOCK_ROWS;
    const input = this.candidateInputs(this.seed, first, rows);
    const activated = this.activate(this.network.forward(input, rows), rows, this.decodeNoise(this.seed, first, rows));
    if (this.pairChecks.length > 0) this.redrawOutsideSupport(activated, input, first);
    return activated;
  }

  /** Noise and conditional vector of `rows` candidates from `first`, drawn from the streams of `seed`. */
  private candidateInputs(seed: bigint, first: bigint, rows: number): Float32Array {
    const { noiseWidth, condWidth } = this.model.network;
    const inWidth = noiseWidth + condWidth;
    const noise = new Float64Array(rows * noiseWidth);
    philoxNormal(BigInt.asUintN(64, seed ^ NOISE_SALT), first * BigInt(noiseWidth), noise);
    const input = new Float32Array(rows * inWidth);
    for (let r = 0; r < rows; r++) for (let j = 0; j < noiseWidth; j++) input[r * inWidth + j] = noise[r * noiseWidth + j]!;
    if (condWidth > 0) {
      const cond = generationConditions(this.cumulative, rows, BigInt.asUintN(64, seed ^ CONDITION_SALT), first * 2n);
      const fixed = this.conditions[0];
      for (let r = 0; r < rows; r++) {
        const target = input.subarray(r * inWidth + noiseWidth, (r + 1) * inWidth);
        if (fixed === undefined) target.set(cond.cond.subarray(r * condWidth, (r + 1) * condWidth));
        else target[this.condOffsets[fixed.discreteIndex]! + fixed.position] = 1;
      }
    }
    return input;
  }

  /** Per output of each candidate: a uniform (CTGAN's Gumbel draw) or a standard normal (TVAE's σ noise). */
  private decodeNoise(seed: bigint, first: bigint, rows: number): Float64Array {
    const width = this.model.transform.width;
    const noise = new Float64Array(rows * width);
    const decodeSeed = BigInt.asUintN(64, seed ^ DECODE_SALT);
    if (this.model.generator === "tvae") philoxNormal(decodeSeed, first * BigInt(width), noise);
    else philoxUniform(decodeSeed, first * BigInt(width), noise);
    return noise;
  }

  /**
   * Redraws, in place, each candidate whose discrete categories form a pair never seen in training:
   * attempt k draws fresh noise (and Gumbel draws) from the streams of seed ⊕ k-th redraw salt at
   * the candidate's own counters, keeping its conditional vector for the first half of the attempts
   * and drawing a new one after, so a row stays a function of the seed and its index. After
   * MAX_REDRAWS attempts the row copies the block's next candidate inside the support.
   */
  private redrawOutsideSupport(activated: Float32Array, input: Float32Array, first: bigint): void {
    const rows = SAMPLE_BLOCK_ROWS;
    const width = this.model.transform.width;
    const { noiseWidth, condWidth } = this.model.network;
    const inWidth = noiseWidth + condWidth;
    let outside = this.rowsOutsideSupport(activated, rows);
    const noiseRow = new Float64Array(noiseWidth);
    const decodeRow = new Float64Array(width);
    for (let attempt = 1; attempt <= MAX_REDRAWS && outside.length > 0; attempt++) {
      const seed = BigInt.asUintN(64, this.seed ^ (REDRAW_SALT * BigInt(attempt)));
      const noiseSeed = BigInt.asUintN(64, seed ^ NOISE_SALT);
      const decodeSeed = BigInt.asUintN(64, seed ^ DECODE_SALT);
      const subsetInput = new Float32Array(outside.length * inWidth);
      const subsetNoise = new Float64Array(outside.length * width);
      // The second half of the attempts also redraws the condition (unless --where fixes it): a
      // condition can make the generator insist on a combination the training rows lack.
      const freshConditions =
        attempt > MAX_REDRAWS / 2 && condWidth > 0 && this.conditions.length === 0
          ? generationConditions(this.cumulative, rows, BigInt.asUintN(64, seed ^ CONDITION_SALT), first * 2n).cond
          : null;
      outside.forEach((r, i) => {
        // The candidate's own counters in the attempt's streams (as a full block would draw them).
        const candidate = first + BigInt(r);
        philoxNormal(noiseSeed, candidate * BigInt(noiseWidth), noiseRow);
        subsetInput.set(noiseRow, i * inWidth);
        const condition =
          freshConditions === null ? input.subarray(r * inWidth + noiseWidth, (r + 1) * inWidth) : freshConditions.subarray(r * condWidth, (r + 1) * condWidth);
        subsetInput.set(condition, i * inWidth + noiseWidth);
        if (this.model.generator === "tvae") philoxNormal(decodeSeed, candidate * BigInt(width), decodeRow);
        else philoxUniform(decodeSeed, candidate * BigInt(width), decodeRow);
        subsetNoise.set(decodeRow, i * width);
      });
      const redrawn = this.activate(this.network.forward(subsetInput, outside.length), outside.length, subsetNoise);
      const still = new Set(this.rowsOutsideSupport(redrawn, outside.length));
      const next: number[] = [];
      outside.forEach((r, i) => {
        if (still.has(i) && attempt < MAX_REDRAWS) next.push(r);
        else activated.set(redrawn.subarray(i * width, (i + 1) * width), r * width);
      });
      outside = next;
    }
    // Still outside after every attempt: take the next candidate of the block that is inside
    // (a duplicate row, rare once trained, never a combination the training rows lack).
    const stillOutside = this.rowsOutsideSupport(activated, rows);
    if (stillOutside.length === 0 || stillOutside.length === rows) return;
    const outsideSet = new Set(stillOutside);
    for (const r of stillOutside) {
      for (let k = 1; k < rows; k++) {
        const donor = (r + k) % rows;
        if (outsideSet.has(donor)) continue;
        activated.copyWithin(r * width, donor * width, (donor + 1) * width);
        break;
      }
    }
  }

  /** Indices of the rows (of an activated block) whose discrete categories break the pair support. */
  private rowsOutsideSupport(activated: Float32Array, rows: number): number[] {
    const width = this.model.transform.width;
    const positions = this.discrete.map((column, d) => {
      const start = this.columnStarts[this.discreteTransformIndex[d]!]!;
      const out = new Int32Array(rows);
      for (let r = 0; r < rows; r++) out[r] = argmaxAt(activated, r * width + start, column.codes.length);
      return out;
    });
    const outside: number[] = [];
    for (let r = 0; r < rows; r++) if (!rowInSupport(this.pairChecks, positions, r)) outside.push(r);
    return outside;
  }

  /**
   * tanh on α outputs (plus TVAE's σ noise); the logit biases and Gumbel noise −log(−log u) on
   * CTGAN's logits, so argmax samples softmax(logit + bias). In place on `raw` (a fresh download),
   * row by row over flat span tables: one pass through memory.
   */
  private activate(raw: Float32Array, rows: number, noise: Float64Array): Float32Array {
    const width = this.model.transform.width;
    const { starts, widths, isTanh, sigmas, biases } = this.activationTable();
    const tvae = this.model.generator === "tvae";
    const spanCount = starts.length;
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let s = 0; s < spanCount; s++) {
        const at = base + starts[s]!;
        if (isTanh[s] === 1) {
          const v = Math.tanh(raw[at]!) + sigmas[s]! * noise[at]!;
          raw[at] = Math.max(-1, Math.min(1, v));
        } else if (!tvae) {
          const end = at + widths[s]!;
          for (let i = at; i < end; i++) {
            const u = noise[i]!;
            const clamped = Math.min(GUMBEL_U_MAX, Math.max(GUMBEL_U_MIN, u));
            raw[i] = raw[i]! + biases[i - base]! - Math.log(-Math.log(clamped));
          }
        }
      }
    }
    return raw;
  }

  private activation: { starts: Int32Array; widths: Int32Array; isTanh: Uint8Array; sigmas: Float64Array; biases: Float64Array } | null = null;

  /** The output spans as flat arrays, each tanh span's σ (TVAE) and each output's logit bias (0 where none). */
  private activationTable() {
    if (this.activation !== null) return this.activation;
    const width = this.model.transform.width;
    const tvae = this.model.generator === "tvae";
    const biases = new Float64Array(width);
    for (const [start, values] of this.biasAt) biases.set(values, start);
    this.activation = {
      starts: Int32Array.from(this.spans, (s) => s.start),
      widths: Int32Array.from(this.spans, (s) => s.width),
      isTanh: Uint8Array.from(this.spans, (s) => (s.activation === "tanh" ? 1 : 0)),
      sigmas: Float64Array.from(this.spans, (s) => (tvae && s.activation === "tanh" ? (this.model.outputSigmas[s.start] ?? 0) : 0)),
      biases,
    };
    return this.activation;
  }

  /**
   * Learned columns of `rows` decoded rows (id and pii columns left empty: they are keyed by output
   * row, filled later); continuous values go through their quantile map, drawn for candidates from `first`.
   */
  private decodeBlock(data: Float32Array, rows: number, first = 0n): Table {
    const width = this.model.transform.width;
    const byColumn = new Map(this.model.transform.columns.map((c, i) => [c.column, i]));
    const columns = this.model.schema.columns.map((schema, index): Column => {
      const t = byColumn.get(index);
      if (t === undefined) return { schema, values: [] } as unknown as Column;
      const transform = this.model.transform.columns[t]!;
      if (transform.kind === "discrete") {
        return { schema, codes: decodeDiscrete(transform, this.columnStarts[t]!, data, width, rows), categories: [...transform.labels] } as Column;
      }
      const decoded = decodeContinuous(transform as ContinuousColumnTransform, this.columnStarts[t]!, data, width, rows);
      const map = this.quantileMaps.get(t);
      if (map !== undefined && rows > 0) {
        // One uniform per candidate and column (for point masses), keyed by transform column.
        const u = new Float64Array(rows);
        philoxUniform(BigInt.asUintN(64, this.seed ^ (QUANTILE_SALT + BigInt(t))), first, u);
        for (let r = 0; r < rows; r++) decoded[r] = mapQuantile(map, decoded[r]!, u[r]!);
      }
      const values = new Float64Array(rows);
      roundInto(values, decoded, transform.rounding);
      return { schema, values } as Column;
    });
    return { rowCount: rows, columns };
  }

  private withTextColumns(table: Table, startRow: number): Table {
    const columns = table.columns.map((column): Column => {
      const schema = column.schema;
      if (schema.type === "id") return { schema, values: makeIds(schema, startRow, table.rowCount, this.seed) };
      if (schema.type === "pii") {
        return {
          schema,
          values: schema.action === "drop" ? new Array<string | null>(table.rowCount).fill(null) : fakePiiValues(schema, startRow, table.rowCount, this.seed),
        };
      }
      return column;
    });
    return { rowCount: table.rowCount, columns };
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Gumbel draws use u clamped to [1e-12, 1 − 1e-12], so −log(−log u) is finite. */
const GUMBEL_U_MIN = 1e-12;
const GUMBEL_U_MAX = 1 - 1e-12;

function argmaxAt(data: Float32Array, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (data[offset + j]! > data[offset + best]!) best = j;
  return best;
}

function selectRows(table: Table, keep: number[]): Table {
  const columns = table.columns.map((column): Column => {
    if ("codes" in column) return { ...column, codes: Int32Array.from(keep, (r) => column.codes[r]!) };
    if (column.values instanceof Float64Array) {
      const values = column.values;
      return { ...column, values: Float64Array.from(keep, (r) => values[r]!) } as Column;
    }
    return column;
  });
  return { rowCount: keep.length, columns };
}

function sliceTable(table: Table, start: number, end: number): Table {
  const columns = table.columns.map((column): Column => {
    if ("codes" in column) return { ...column, codes: column.codes.subarray(start, end) };
    if (column.values instanceof Float64Array) return { ...column, values: column.values.subarray(start, end) } as Column;
    return column;
  });
  return { rowCount: Math.max(0, end - start), columns };
}
