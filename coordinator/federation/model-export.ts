/**
 * The final federated model as ONNX: the wire parameters (per layer weights [inputs × outputs]
 * row-major, then bias) loaded into nn/'s MlpModel (arena layout: W [outputs × inputs], then
 * bias) and exported with nn/'s ONNX writer — input "features" (the tabular feature encoding of
 * the shared schema), output "probabilities" (classification) or "prediction" (regression).
 */
import { Device, MlpModel } from "../../nn/index.js";
import { layerSlices, type ModelShape } from "./model-layout.js";

/** Wire layout → nn/ arena layout (transposes each weight matrix). */
export function wireToArena(values: Float32Array, shape: ModelShape): Float32Array {
  const out = new Float32Array(values.length);
  for (const layer of layerSlices(shape)) {
    const { inputs, outputs, weightOffset, biasOffset } = layer;
    for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) out[weightOffset + o * inputs + i] = values[weightOffset + i * outputs + o] as number;
    out.set(values.subarray(biasOffset, biasOffset + outputs), biasOffset);
  }
  return out;
}

/** The MLP of a federated job with these parameters, on the CPU (for export and checks). */
export function federatedMlp(shape: ModelShape, task: "classification" | "regression", parameters: Float32Array): MlpModel {
  const model = new MlpModel(
    Device.open("cpu"),
    { task, inputWidth: shape.inputDimension, hidden: [...shape.hiddenLayerSizes], classCount: task === "classification" ? shape.outputDimension : 0 },
    0,
  );
  model.setParameters(wireToArena(parameters, shape));
  return model;
}

/** ONNX bytes of the final model. */
export function exportFederatedOnnx(shape: ModelShape, task: "classification" | "regression", parameters: Float32Array): Uint8Array {
  const model = federatedMlp(shape, task, parameters);
  try {
    return model.exportOnnx();
  } finally {
    model.dispose();
  }
}
