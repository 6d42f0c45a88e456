/**
 * Streams sampled rows to a file: sample a chunk, hand it to the tabular writer (which formats it
 * and awaits the disk), drop it, sample the next. Peak memory is O(chunk rows × columns) whatever
 * the row count. The file appears only when complete (the writer's temp + rename); on any error
 * or abort the partial file is removed. Before the first row, the output's size is estimated and
 * checked against the free space; a disk that fills anyway fails the write with ENOSPC named.
 */
import { checkRoomForOutput, openTableWriter } from "../tabular/index.js";
import type { Table, TableSchema } from "../tabular/index.js";
import { CopulaSampler, concatenateTables, DEFAULT_CHUNK_ROWS, type SamplerOptions } from "./copula-sampler.js";
import { engineNetwork } from "./ctgan/fit-neural.js";
import { NeuralSampler } from "./ctgan/neural-sampler.js";
import { ConditionError, GeneratorError } from "./errors.js";
import { isNeuralModel, type SynthModel } from "./model-file.js";
import { MstSampler } from "./mst/mst-sampler.js";
import { AimSampler } from "./aim/aim-sampler.js";

/** Rows sampled and encoded to estimate the output's size before writing (see tabular/disk-space.ts). */
const SIZE_PROBE_ROWS = 1000;

export interface StreamSampleOptions extends SamplerOptions {
  chunkRows?: number;
  /** Free bytes to check the output's estimated size against (tests); default: the file system's. */
  freeBytes?: number;
  /** Called after every chunk with the fraction of rows written. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface StreamSampleResult {
  rows: number;
  seconds: number;
  path: string;
}

/** Anything that produces a table's rows chunk by chunk (the copula's, the tree's and the neural samplers). */
export interface ChunkSource {
  readonly schema: TableSchema;
  sampleChunk(startRow: number, rows: number): Promise<Table> | Table;
}

/** The sampler of a model of any kind; `rows` is the whole output (tree models allocate rows in fixed blocks). */
export function openSampler(model: SynthModel, rows: number, options: SamplerOptions = {}): ChunkSource {
  if (isNeuralModel(model)) return new NeuralSampler(model, engineNetwork(model), options);
  if (model.generator !== "mst" && model.generator !== "aim") return new CopulaSampler(model, options);
  if (options.where !== undefined && options.where.length > 0) {
    throw new ConditionError(`--where needs a copula model (--model copula or dp-copula); a ${model.generator} model samples whole rows only.`);
  }
  const seed = options.seed === undefined ? {} : { seed: options.seed };
  return model.generator === "aim" ? new AimSampler(model, { totalRows: rows, ...seed }) : new MstSampler(model, { totalRows: rows, ...seed });
}

/** `rows` rows of any model into one in-memory table (the same rows sampleToFile writes for the same seed). */
export async function sampleSynthTable(model: SynthModel, rows: number, options: SamplerOptions = {}): Promise<Table> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new GeneratorError(`cannot sample ${rows} rows; give a whole number of rows ≥ 0.`);
  const sampler = openSampler(model, rows, options);
  if (model.generator === "mst" || model.generator === "aim") return await sampler.sampleChunk(0, rows);
  const parts: Table[] = [];
  for (let start = 0; start < rows || parts.length === 0; start += DEFAULT_CHUNK_ROWS)
    parts.push(await sampler.sampleChunk(start, Math.min(DEFAULT_CHUNK_ROWS, rows - start)));
  return parts.length === 1 ? parts[0]! : concatenateTables(parts, rows, parts[0]!);
}

export async function sampleToFile(model: SynthModel, path: string, rows: number, options: StreamSampleOptions = {}): Promise<StreamSampleResult> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new GeneratorError(`cannot sample ${rows} rows; give a whole number of rows ≥ 0.`);
  // Build the sampler first: bad conditions fail before any file is created.
  const sampler = openSampler(model, rows, options);
  return sampleSourceToFile(sampler, path, rows, options);
}

/** Streams `rows` rows of `sampler` to `path` (complete file or none). */
export async function sampleSourceToFile(sampler: ChunkSource, path: string, rows: number, options: StreamSampleOptions = {}): Promise<StreamSampleResult> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new GeneratorError(`cannot sample ${rows} rows; give a whole number of rows ≥ 0.`);
  const started = performance.now();
  const chunkRows = Math.max(1, options.chunkRows ?? DEFAULT_CHUNK_ROWS);
  // Refuse before writing when the output cannot fit (`--rows 1e12` wrote until the disk was full).
  // Rows are keyed by global index, so the probe rows are the output's first rows.
  const probe = await sampler.sampleChunk(0, Math.min(rows, SIZE_PROBE_ROWS));
  await checkRoomForOutput(path, sampler.schema, probe, rows, options.freeBytes);
  const writer = await openTableWriter(path, sampler.schema);
  try {
    // The probe rows are the output's first rows: written as they are, not sampled again (a
    // conditional neural sampler draws its rows strictly in order).
    if (probe.rowCount > 0) {
      await writer.write(probe);
      options.onProgress?.(Math.min(1, probe.rowCount / rows));
    }
    for (let start = probe.rowCount; start < rows; start += chunkRows) {
      options.signal?.throwIfAborted();
      const chunk = await sampler.sampleChunk(start, Math.min(chunkRows, rows - start));
      await writer.write(chunk);
      options.onProgress?.(Math.min(1, (start + chunk.rowCount) / rows));
    }
    if (rows === 0) await writer.write(await sampler.sampleChunk(0, 0));
    options.signal?.throwIfAborted();
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { rows, seconds: (performance.now() - started) / 1000, path };
}
