/**
 * Streams sampled rows to a file: sample a chunk, hand it to the tabular writer (which formats it
 * and awaits the disk), drop it, sample the next. Peak memory is O(chunk rows × columns) whatever
 * the row count. The file appears only when complete (the writer's temp + rename); on any error
 * or abort the partial file is removed. Before the first row, the output's size is estimated and
 * checked against the free space; a disk that fills anyway fails the write with ENOSPC named.
 */
import { checkRoomForOutput, openTableWriter } from "../tabular/index.js";
import type { Table, TableSchema } from "../tabular/index.js";
import { CopulaSampler, DEFAULT_CHUNK_ROWS, type SamplerOptions, sampleTable } from "./copula-sampler.js";
import { ConditionError, GeneratorError } from "./errors.js";
import type { SynthModel } from "./model-file.js";
import { MstSampler } from "./mst/mst-sampler.js";

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

/** The sampler of a model of either kind; `rows` is the whole output (tree models allocate rows in fixed blocks). */
export function openSampler(model: SynthModel, rows: number, options: SamplerOptions = {}): { schema: TableSchema; sampleChunk(start: number, rows: number): Promise<Table> } {
  if (model.generator !== "mst") return new CopulaSampler(model, options);
  if (options.where !== undefined && options.where.length > 0) {
    throw new ConditionError("--where needs a copula model (--model copula or dp-copula); a tree model (mst) samples whole rows only.");
  }
  return new MstSampler(model, { totalRows: rows, ...(options.seed === undefined ? {} : { seed: options.seed }) });
}

/** `rows` rows of any model into one in-memory table. */
export async function sampleSynthTable(model: SynthModel, rows: number, options: SamplerOptions = {}): Promise<Table> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new GeneratorError(`cannot sample ${rows} rows; give a whole number of rows ≥ 0.`);
  if (model.generator !== "mst") return await sampleTable(model, rows, options);
  return await openSampler(model, rows, options).sampleChunk(0, rows);
}

export async function sampleToFile(model: SynthModel, path: string, rows: number, options: StreamSampleOptions = {}): Promise<StreamSampleResult> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new GeneratorError(`cannot sample ${rows} rows; give a whole number of rows ≥ 0.`);
  const started = performance.now();
  // Build the sampler first: bad conditions fail before any file is created.
  const sampler = openSampler(model, rows, options);
  const chunkRows = Math.max(1, options.chunkRows ?? DEFAULT_CHUNK_ROWS);
  // Refuse before writing when the output cannot fit (`--rows 1e12` wrote until the disk was full).
  // Rows are keyed by global index, so the probe rows are the output's first rows.
  const probe = await sampler.sampleChunk(0, Math.min(rows, SIZE_PROBE_ROWS));
  await checkRoomForOutput(path, sampler.schema, probe, rows, options.freeBytes);
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
