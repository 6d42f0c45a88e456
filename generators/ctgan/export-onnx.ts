/**
 * A CTGAN generator or TVAE decoder as an ONNX model (through nn/'s exporter): inputs `noise`
 * (rows × 128, standard normal) and, for CTGAN, `cond` (rows × the conditional vector's width),
 * output `columns` (rows × the encoding's width) with the output activations applied — tanh on
 * each α, softmax over each mode or category span. Decoding the output back to values is
 * described in generators/README.md ("ONNX export"); the model file's `transform` holds what it needs.
 */
import { writeOnnxFile } from "../../nn/index.js";
import { layoutOf } from "./data-transformer.js";
import { neuralSequential } from "./fit-neural.js";
import type { NeuralModel } from "./neural-model.js";

export async function exportNeuralOnnx(model: NeuralModel, path: string): Promise<{ inputs: { name: string; width: number }[]; outputWidth: number }> {
  const network = neuralSequential(model);
  const { noiseWidth, condWidth, outWidth } = model.network;
  const inputs = [{ name: "noise", width: noiseWidth }];
  if (condWidth > 0) inputs.push({ name: "cond", width: condWidth });
  const spans = layoutOf(model.transform.columns).spans.map((span) => ({ start: span.start, length: span.width, activation: span.activation }));
  await writeOnnxFile(path, network, { inputs, outputName: "columns", outputSpans: spans, graphName: `datalab_${model.generator}_generator` });
  return { inputs, outputWidth: outWidth };
}
