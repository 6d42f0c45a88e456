/**
 * One front for every synthesizer: fit by name (`copula`, `ctgan`, `tvae`), load any model file,
 * open a chunk sampler for any model, stream it to a file or into memory. `trainer/` (the job
 * behind `datalab synth`, `datalab sample` and worker nodes) goes through this and never needs
 * to know which model it holds.
 */
import { readFile } from "node:fs/promises";
import type { Table } from "../tabular/index.js";
import type { CopulaModel } from "./copula-model.js";
import { CopulaSampler, DEFAULT_CHUNK_ROWS, type SamplerOptions } from "./copula-sampler.js";
import { type FitOptions, fitGaussianCopula } from "./fit-copula.js";
import { engineNetwork, fitNeuralModel } from "./ctgan/fit-neural.js";
import { NEURAL_GENERATORS, type NeuralModel, parseNeuralModel, saveNeuralModel } from "./ctgan/neural-model.js";
import { NeuralSampler } from "./ctgan/neural-sampler.js";
import { loadModel, parseModel, saveModel } from "./model-file.js";
import { type ChunkSource, type StreamSampleOptions, type StreamSampleResult, sampleSourceToFile } from "./sample-to-file.js";

export type SynthesizerModel = CopulaModel | NeuralModel;
export type SynthesizerName = "copula" | "ctgan" | "tvae";
export const SYNTHESIZER_NAMES: readonly SynthesizerName[] = ["copula", "ctgan", "tvae"];

/** The canonical name of a synthesizer as users and job specs write it, or null. */
export function synthesizerName(text: string): SynthesizerName | null {
  const lower = text.toLowerCase();
  if (lower === "copula" || lower === "gaussian_copula" || lower === "gaussian-copula") return "copula";
  if (lower === "ctgan" || lower === "tvae") return lower;
  return null;
}

export function isNeuralModel(model: SynthesizerModel): model is NeuralModel {
  return (NEURAL_GENERATORS as readonly string[]).includes(model.generator);
}

export interface SynthesizerFitOptions extends FitOptions {
  epochs?: number;
  batchSize?: number;
  seed?: bigint | number;
  onEpoch?: (epoch: number, epochs: number, losses: { generator: number; discriminator?: number }) => void;
  signal?: AbortSignal;
}

export function fitSynthesizer(name: SynthesizerName, table: Table, options: SynthesizerFitOptions = {}): SynthesizerModel {
  if (name === "copula") {
    return fitGaussianCopula(table, {
      ...(options.allowOutOfRange === undefined ? {} : { allowOutOfRange: options.allowOutOfRange }),
      ...(options.marginal === undefined ? {} : { marginal: options.marginal }),
    });
  }
  return fitNeuralModel(table, {
    generator: name,
    ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.onEpoch === undefined ? {} : { onEpoch: options.onEpoch }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** A chunk sampler of any model; conditions are checked here, before any file exists. */
export function openModelSampler(model: SynthesizerModel, options: SamplerOptions = {}): ChunkSource {
  if (isNeuralModel(model)) return new NeuralSampler(model, engineNetwork(model), options);
  return new CopulaSampler(model, options);
}

export async function sampleModelToFile(model: SynthesizerModel, path: string, rows: number, options: StreamSampleOptions = {}): Promise<StreamSampleResult> {
  return sampleSourceToFile(openModelSampler(model, options), path, rows, options);
}

/** `rows` rows in memory (the same rows sampleModelToFile writes for the same seed). */
export async function sampleModelTable(model: SynthesizerModel, rows: number, options: SamplerOptions = {}): Promise<Table> {
  const sampler = openModelSampler(model, options);
  const parts: Table[] = [];
  for (let start = 0; start < rows || parts.length === 0; start += DEFAULT_CHUNK_ROWS) parts.push(await sampler.sampleChunk(start, Math.min(DEFAULT_CHUNK_ROWS, rows - start)));
  return parts.length === 1 ? parts[0]! : concatenate(parts, rows);
}

function concatenate(parts: Table[], rows: number): Table {
  const columns = parts[0]!.columns.map((column, c) => {
    if ("codes" in column) {
      const codes = new Int32Array(rows);
      let offset = 0;
      for (const part of parts) {
        const piece = (part.columns[c] as { codes: Int32Array }).codes;
        codes.set(piece, offset);
        offset += piece.length;
      }
      return { ...column, codes };
    }
    if (column.values instanceof Float64Array) {
      const values = new Float64Array(rows);
      let offset = 0;
      for (const part of parts) {
        const piece = (part.columns[c] as { values: Float64Array }).values;
        values.set(piece, offset);
        offset += piece.length;
      }
      return { ...column, values };
    }
    return { ...column, values: parts.flatMap((part) => (part.columns[c] as { values: (string | null)[] }).values) };
  });
  return { rowCount: rows, columns: columns as Table["columns"] };
}

export async function saveSynthesizerModel(path: string, model: SynthesizerModel): Promise<void> {
  if (isNeuralModel(model)) await saveNeuralModel(path, model);
  else await saveModel(path, model);
}

/** Loads a copula, CTGAN or TVAE model file; every failure is a one-line ModelFileError. */
export async function loadSynthesizerModel(path: string): Promise<SynthesizerModel> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return loadModel(path); // throws the copula loader's message for a missing or unreadable file
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return parseModel(text, path); // throws "not valid JSON"
  }
  const generator = (parsed as { generator?: unknown } | null)?.generator;
  if ((NEURAL_GENERATORS as readonly unknown[]).includes(generator) && (parsed as { format?: unknown }).format === "datalab-model") {
    return parseNeuralModel(parsed as Record<string, unknown>, path);
  }
  return parseModel(text, path);
}
