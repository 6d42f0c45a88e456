/**
 * `datalab export model.json --onnx gen.onnx` on a real CTGAN model (a few steps on
 * seattle-weather): onnxruntime-node runs the file and its activated columns match our own
 * forward pass (tanh of α, softmax per span) within 1e-5; a copula model and a missing --onnx
 * are usage errors that write nothing.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, test } from "vitest";
import { engineNetwork, fitGaussianCopula, fitSynthModel, layoutOf, type NeuralModel, saveModel } from "../generators/index.js";
import { philoxNormal } from "../kernels/index.js";
import { loadTable } from "../tabular/index.js";
import { captureOutput } from "./capture-output.js";
import { CliError } from "./cli-error.js";
import { run } from "./export.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const weather = (await loadTable("node_modules/vega-datasets/data/seattle-weather.csv")).table;

describe("datalab export --onnx", () => {
  test("the ONNX generator matches our forward pass within 1e-5", async () => {
    const model = fitSynthModel(
      weather,
      { version: 1, columns: weather.columns.map((c) => c.schema) },
      { model: "ctgan", neural: { epochs: 1, batchSize: 500, seed: 2n } },
    ) as NeuralModel;
    const modelPath = join(dir, "ctgan.json");
    await saveModel(modelPath, model);
    const onnxPath = join(dir, "gen.onnx");
    const { code, stdout } = await captureOutput(() => run([modelPath, "--onnx", onnxPath]));
    expect(code).toBe(0);
    expect(stdout).toMatch(/ctgan generator → .*gen\.onnx: inputs noise \(rows × 128\), cond \(rows × \d+\)/);

    const rows = 64;
    const { noiseWidth, condWidth, outWidth } = model.network;
    const noise64 = new Float64Array(rows * noiseWidth);
    philoxNormal(5n, 0n, noise64);
    const noise = Float32Array.from(noise64);
    const cond = new Float32Array(rows * condWidth);
    for (let r = 0; r < rows; r++) cond[r * condWidth + (r % condWidth)] = 1;
    const input = new Float32Array(rows * (noiseWidth + condWidth));
    for (let r = 0; r < rows; r++) {
      input.set(noise.subarray(r * noiseWidth, (r + 1) * noiseWidth), r * (noiseWidth + condWidth));
      input.set(cond.subarray(r * condWidth, (r + 1) * condWidth), r * (noiseWidth + condWidth) + noiseWidth);
    }
    const raw = engineNetwork(model).forward(input, rows);
    const session = await ort.InferenceSession.create(onnxPath);
    const result = await session.run({ noise: new ort.Tensor("float32", noise, [rows, noiseWidth]), cond: new ort.Tensor("float32", cond, [rows, condWidth]) });
    const columns = result["columns"]!.data as Float32Array;
    expect(columns).toHaveLength(rows * outWidth);
    let worst = 0;
    for (const span of layoutOf(model.transform.columns).spans) {
      for (let r = 0; r < rows; r++) {
        const at = r * outWidth + span.start;
        if (span.activation === "tanh") {
          worst = Math.max(worst, Math.abs(columns[at]! - Math.tanh(raw[at]!)));
          continue;
        }
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < span.width; k++) max = Math.max(max, raw[at + k]!);
        let sum = 0;
        for (let k = 0; k < span.width; k++) sum += Math.exp(raw[at + k]! - max);
        for (let k = 0; k < span.width; k++) worst = Math.max(worst, Math.abs(columns[at + k]! - Math.exp(raw[at + k]! - max) / sum));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  test("a copula model or a missing --onnx is a usage error and writes nothing", async () => {
    const copulaPath = join(dir, "copula.json");
    await saveModel(copulaPath, fitGaussianCopula(weather));
    const onnxPath = join(dir, "never.onnx");
    await expect(run([copulaPath, "--onnx", onnxPath])).rejects.toThrow(/has no network to export/);
    await expect(run([copulaPath])).rejects.toThrow(CliError);
    await expect(run([join(dir, "missing.json"), "--onnx", onnxPath])).rejects.toThrow(CliError);
    expect(existsSync(onnxPath)).toBe(false);
  });
});
