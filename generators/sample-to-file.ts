/**
 * Streams sampled rows to a file: sample a chunk, hand it to the tabular writer (which formats it
 * and awaits the disk), drop it, sample the next. Peak memory is O(chunk rows × columns) whatever
 * the row count. The file appears only when complete (the writer's temp + rename); on any error
 * or abort the partial file is removed.
 */
import { openTableWriter, type Table, type TableSchema } from "../tabular/index.js";
import type { CopulaModel } from "./copula-model.js";
import { CopulaSampler, DEFAULT_CHUNK_ROWS, type SamplerOptions } from "./copula-sampler.js";
import { GeneratorError } from "./errors.js";

export interface StreamSampleOptions extends SamplerOptions {
  chunkRows?: number;
  /** Called after every chunk with the fraction of rows written. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface StreamSampleResult {
  rows: number;
  seconds: number;
  path: string;
}

/** Anything that produces a table's rows chunk by chunk (the copula's sampler, the neural one). */
export interface ChunkSource {
  readonly schema: TableSchema;
  sampleChunk(startRow: number, rows: number): Promise<Table> | Table;
}

export async function sampleToFile(model: CopulaModel, path: string, rows: number, options: StreamSampleOptions = {}): Promise<StreamSampleResult> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new GeneratorError(`cannot sample ${rows} rows; give a whole number of rows ≥ 0.`);
  // Build the sampler first: bad conditions fail before any file is created.
  return sampleSourceToFile(new CopulaSampler(model, options), path, rows, options);
}

/** Streams `rows` rows of `sampler` to `path` (complete file or none). */
export async function sampleSourceToFile(sampler: ChunkSource, path: string, rows: number, options: StreamSampleOptions = {}): Promise<StreamSampleResult> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new GeneratorError(`cannot sample ${rows} rows; give a whole number of rows ≥ 0.`);
  const started = performance.now();
  const chunkRows = Math.max(1, options.chunkRows ?? DEFAULT_CHUNK_ROWS);
  const writer = await openTableWriter(path, sampler.schema);
  try {
    for (let start = 0; start < rows; start += chunkRows) {
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
