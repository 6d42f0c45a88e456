/**
 * nn/ — datalab's training engine: layers with hand-written forward and backward passes over the
 * native kernels of kernels/ (CPU or CUDA), tensors resident on the device between steps, one
 * parameter arena per model, AdamW, the WGAN-GP penalty with its double backward, ONNX export.
 * Usage and numerics: nn/README.md.
 */
export { AdamW, type AdamWOptions } from "./adamw.js";
export { type CapturedGraph, Device } from "./device.js";
export { NnError } from "./errors.js";
export type { GradientPenaltyOptions } from "./gradient-penalty.js";
export type { ActivationName, Layer, LayerSpec } from "./layer.js";
export { meanOutput, mse, spanCrossEntropy } from "./losses.js";
export { type OutputSpan, SpanActivation, type SpanActivationName, uploadSpans } from "./output-spans.js";
export { Sequential, type SequentialOptions } from "./sequential.js";
export { Tensor, type TensorType } from "./tensor.js";
export { addScaled, concatColumns, gatherRows, oneHot, RandomStream, sliceColumns } from "./tensor-ops.js";
export { exportOnnx, type OnnxExportOptions, type OnnxInput, writeOnnxFile } from "./onnx-export.js";
export { createGanStepWorkload, ctganAdultShape, type GanStepShape, type GanStepWorkload } from "./gan-step-workload.js";
export { type MlpData, type MlpFitOptions, type MlpFitResult, MlpModel, type MlpSpec } from "./mlp-model.js";
