/**
 * The saved CTGAN / TVAE model: one JSON object in the same envelope as the copula's model file,
 *
 *     { "format": "datalab-model", "version": 1, "generator": "ctgan" | "tvae", "schema": …,
 *       "training": …, "transform": …, "network": …, "calibration": …, "weights": "<base64 float32 LE>", …,
 *       "checksum": "sha256:…" }
 *
 * Only what sampling needs is kept: the row encoding, the generator (CTGAN) or decoder (TVAE)
 * layer specs and their float32 weights (little-endian, base64, inside the file — one file to
 * move, checksummed with the rest). The checksum is the SHA-256 of the compact JSON of every
 * other field. Written atomically; loading checks readability, JSON, envelope, generator,
 * version, checksum and shape, each failure a one-line ModelFileError.
 */
import { createHash } from "node:crypto";
import type { TableSchema } from "../../tabular/index.js";
import { writeFileAtomic } from "../../tabular/index.js";
import type { MODEL_FORMAT } from "../copula-model.js";
import { ModelFileError } from "../errors.js";
import type { ColumnTransform } from "./data-transformer.js";
import type { SamplingCalibration } from "./sampling-calibration.js";

/** 2: adds `calibration` (sampling-time post-processing, see sampling-calibration.ts). Version 1 files load without it. */
export const NEURAL_MODEL_VERSION = 2;
const READABLE_VERSIONS = [1, 2];
export type NeuralGeneratorName = "ctgan" | "tvae";
export const NEURAL_GENERATORS: readonly NeuralGeneratorName[] = ["ctgan", "tvae"];

/** One layer of the sampling network, in the order they run (engine layer specs, see nn/). */
export type NetworkLayerSpec =
  | { kind: "linear"; out: number; activation?: "relu" | "leakyRelu" | "tanh"; slope?: number }
  | { kind: "batchNorm"; momentum?: number; eps?: number }
  | { kind: "relu" }
  | { kind: "leakyRelu"; slope?: number }
  | { kind: "tanh" }
  | { kind: "dropout"; p: number }
  | { kind: "residual"; out: number };

export interface NeuralNetworkDescription {
  /** Input width: noise (CTGAN: embedding 128; TVAE: latent 128) plus the conditional vector width. */
  noiseWidth: number;
  condWidth: number;
  outWidth: number;
  layers: NetworkLayerSpec[];
  /** Number of float32 weights and non-trained state values (BatchNorm running statistics), in the engine's order. */
  parameterCount: number;
  stateCount: number;
}

export interface NeuralTrainingRecord {
  rows: number;
  epochs: number;
  batchSize: number;
  seed: string;
  device: string;
  /** CTGAN: critic steps per generator step (absent in files written before it was a setting: 1). */
  criticSteps?: number;
  /** Per epoch: the mean losses (CTGAN: generator, discriminator; TVAE: reconstruction + KL). */
  losses: { generator: number; discriminator?: number }[];
}

export interface NeuralModel {
  format: typeof MODEL_FORMAT;
  version: number;
  generator: NeuralGeneratorName;
  schema: TableSchema;
  training: NeuralTrainingRecord;
  transform: { columns: ColumnTransform[]; width: number };
  network: NeuralNetworkDescription;
  /** TVAE's learned output σ of each tanh (α) output, by output index; empty for CTGAN. */
  outputSigmas: number[];
  /** CTGAN's sampling calibration fitted on the training table (null: none, TVAE and version-1 files). */
  calibration: SamplingCalibration | null;
  /** base64 of parameters then state, float32 little-endian. */
  weights: string;
  warnings: string[];
}

export function encodeWeights(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return Buffer.from(bytes).toString("base64");
}

export function decodeWeights(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Float32Array(Math.floor(bytes.length / 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function checksumOf(body: string): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

export function serializeNeuralModel(model: NeuralModel): string {
  const { checksum: _ignored, ...content } = model as NeuralModel & { checksum?: string };
  const body = JSON.stringify(content);
  return `${JSON.stringify({ ...content, checksum: checksumOf(body) })}\n`;
}

export async function saveNeuralModel(path: string, model: NeuralModel): Promise<void> {
  await writeFileAtomic(path, serializeNeuralModel(model));
}

const REFIT = "fit a new one with `datalab synth <data> --model ctgan|tvae --model-out <file>`";

/** Validates an already-parsed model record whose generator is ctgan or tvae; `path` names the file in messages. */
export function parseNeuralModel(record: Record<string, unknown>, path: string): NeuralModel {
  if (!NEURAL_GENERATORS.includes(record["generator"] as NeuralGeneratorName)) {
    throw new ModelFileError(path, `${path} holds a "${String(record["generator"])}" model, not a ctgan or tvae one; ${REFIT}.`);
  }
  if (!READABLE_VERSIONS.includes(record["version"] as number)) {
    throw new ModelFileError(
      path,
      `${path} is a version ${JSON.stringify(record["version"])} ${String(record["generator"])} model file; this datalab reads versions ${READABLE_VERSIONS.join(" and ")}. Refit with this datalab or use the datalab that wrote it.`,
    );
  }
  const { checksum, ...content } = record;
  if (typeof checksum !== "string" || checksum !== checksumOf(JSON.stringify(content))) {
    throw new ModelFileError(path, `${path} is corrupted (its checksum does not match its content); restore the original file or ${REFIT}.`);
  }
  const model = { calibration: null, ...content } as unknown as NeuralModel;
  const problem = structuralProblem(model);
  if (problem !== null) throw new ModelFileError(path, `${path} is inconsistent (${problem}); ${REFIT}.`);
  return model;
}

function structuralProblem(model: NeuralModel): string | null {
  if (!Array.isArray(model.schema?.columns) || !Array.isArray(model.transform?.columns)) return "schema or transform missing";
  if (!Array.isArray(model.network?.layers) || typeof model.weights !== "string") return "network or weights missing";
  const floats = (model.weights.length * 3) / 4 / 4;
  const expected = model.network.parameterCount + model.network.stateCount;
  // base64 length → bytes within padding; compare float counts exactly after decoding only when close.
  if (Math.abs(floats - expected) > 1) return `the weights hold ~${Math.round(floats)} floats, the network needs ${expected}`;
  for (const column of model.transform.columns) {
    if (!(column.column >= 0 && column.column < model.schema.columns.length)) return `column "${column.name}" points at no schema column`;
  }
  return null;
}
