/**
 * Writes a trained Sequential (eval mode) to an ONNX model: Linear → Gemm (transB = 1) and its
 * fused activation, BatchNorm1d → BatchNormalization with the running statistics, ReLU → Relu,
 * LeakyReLU → LeakyRelu(alpha), tanh → Tanh, Dropout → nothing (eval), Residual → Gemm,
 * BatchNormalization, Relu, Concat([h, x], axis 1). Several named inputs (e.g. noise and the
 * conditional vector) are concatenated first. Optional output spans add the generator's output
 * activation: tanh spans → Tanh, softmax and Gumbel-softmax spans → Softmax over the span.
 * The Gumbel noise is not exported: the softmax probabilities it outputs are the distribution
 * that Gumbel-argmax samples from (the Gumbel-max trick), so a decoder draws a category from
 * them (or takes the argmax for the mode).
 */
import { rename, writeFile } from "node:fs/promises";
import { ActivationLayer } from "./activation-layer.js";
import { BatchNormLayer } from "./batch-norm.js";
import { DropoutLayer } from "./dropout.js";
import { NnError } from "./errors.js";
import type { Layer } from "./layer.js";
import { LinearLayer } from "./linear.js";
import { OnnxAttributeType, OnnxDataType, onnxModelType } from "./onnx-schema.js";
import type { OutputSpan } from "./output-spans.js";
import { ResidualLayer } from "./residual.js";
import type { Sequential } from "./sequential.js";

export interface OnnxInput {
  name: string;
  width: number;
}

export interface OnnxExportOptions {
  /** Inputs in column order (their widths must add up to the model's input width); default one "input". */
  inputs?: OnnxInput[];
  outputName?: string;
  /** The generator's per-span output activation (omit for the raw model output). */
  outputSpans?: readonly OutputSpan[];
  graphName?: string;
}

interface Node {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: Array<{ name: string; type: number; f?: number; i?: number }>;
}

interface Initializer {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  private counter = 0;

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  constant(prefix: string, dims: number[], values: Float32Array): string {
    const name = this.fresh(prefix);
    const bytes = new Uint8Array(values.byteLength);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i += 1) view.setFloat32(i * 4, values[i] as number, true);
    this.initializers.push({ name, dims, data_type: OnnxDataType.float, raw_data: bytes });
    return name;
  }

  int64Constant(prefix: string, values: number[]): string {
    const name = this.fresh(prefix);
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i += 1) view.setBigInt64(i * 8, BigInt(values[i] as number), true);
    this.initializers.push({ name, dims: [values.length], data_type: OnnxDataType.int64, raw_data: bytes });
    return name;
  }

  node(opType: string, inputs: string[], attributes: Node["attribute"] = [], outputs = 1): string[] {
    const out = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ input: inputs, output: out, name: this.fresh(`${opType}_node`), op_type: opType, attribute: attributes });
    return out;
  }

  one(opType: string, inputs: string[], attributes: Node["attribute"] = []): string {
    return this.node(opType, inputs, attributes)[0] as string;
  }
}

function activationNode(graph: GraphBuilder, act: number, slope: number, x: string): string {
  if (act === 1) return graph.one("Relu", [x]);
  if (act === 2) return graph.one("LeakyRelu", [x], [{ name: "alpha", type: OnnxAttributeType.float, f: slope }]);
  if (act === 3) return graph.one("Tanh", [x]);
  return x;
}

/** Emits the nodes of one layer reading `x`; `params`/`state` are the layer's slices of the weights. */
function emitLayer(graph: GraphBuilder, layer: Layer, x: string, params: Float32Array, state: Float32Array): string {
  if (layer instanceof LinearLayer) {
    const w = graph.constant("weight", [layer.outWidth, layer.inWidth], params.subarray(0, layer.outWidth * layer.inWidth));
    const b = graph.constant("bias", [layer.outWidth], params.subarray(layer.outWidth * layer.inWidth));
    const y = graph.one("Gemm", [x, w, b], [{ name: "transB", type: OnnxAttributeType.int, i: 1 }]);
    return activationNode(graph, layer.act, layer.slope, y);
  }
  if (layer instanceof BatchNormLayer) {
    const f = layer.inWidth;
    const inputs = [
      x,
      graph.constant("gamma", [f], params.subarray(0, f)),
      graph.constant("beta", [f], params.subarray(f, 2 * f)),
      graph.constant("running_mean", [f], state.subarray(0, f)),
      graph.constant("running_var", [f], state.subarray(f, 2 * f)),
    ];
    return graph.one("BatchNormalization", inputs, [{ name: "epsilon", type: OnnxAttributeType.float, f: layer.eps }]);
  }
  if (layer instanceof ResidualLayer) {
    const linearCount = layer.linear.parameterCount;
    const h = emitLayer(graph, layer.linear, x, params.subarray(0, linearCount), state);
    const normalized = emitLayer(graph, layer.norm, h, params.subarray(linearCount), state);
    const relu = graph.one("Relu", [normalized]);
    return graph.one("Concat", [relu, x], [{ name: "axis", type: OnnxAttributeType.int, i: 1 }]);
  }
  if (layer instanceof DropoutLayer) return x;
  if (layer instanceof ActivationLayer) {
    const spec = layer.spec;
    if (spec.kind === "relu") return graph.one("Relu", [x]);
    if (spec.kind === "tanh") return graph.one("Tanh", [x]);
    if (spec.kind === "leakyRelu") return activationNode(graph, 2, spec.slope ?? 0.2, x);
  }
  throw new NnError(`ONNX export: layer kind ${layer.spec.kind} has no ONNX mapping`);
}

function emitOutputSpans(graph: GraphBuilder, x: string, spans: readonly OutputSpan[], width: number): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let covered = 0;
  for (const span of sorted) {
    if (span.start !== covered) throw new NnError(`ONNX export: output spans must tile the ${width} columns without gaps (gap at column ${covered})`);
    covered += span.length;
  }
  if (covered !== width) throw new NnError(`ONNX export: output spans cover ${covered} of ${width} columns`);
  const split = graph.int64Constant(
    "split",
    sorted.map((s) => s.length),
  );
  const parts = graph.node("Split", [x, split], [{ name: "axis", type: OnnxAttributeType.int, i: 1 }], sorted.length);
  const activated = sorted.map((span, s) => {
    const part = parts[s] as string;
    if (span.activation === "tanh") return graph.one("Tanh", [part]);
    if (span.activation === "softmax" || span.activation === "gumbelSoftmax")
      return graph.one("Softmax", [part], [{ name: "axis", type: OnnxAttributeType.int, i: 1 }]);
    return graph.one("Identity", [part]);
  });
  return graph.one("Concat", activated, [{ name: "axis", type: OnnxAttributeType.int, i: 1 }]);
}

function valueInfo(name: string, width: number): object {
  return { name, type: { tensor_type: { elem_type: OnnxDataType.float, shape: { dim: [{ dim_param: "rows" }, { dim_value: width }] } } } };
}

/** The ONNX model (serialized ModelProto) of `model` in eval mode. */
export function exportOnnx(model: Sequential, options: OnnxExportOptions = {}): Uint8Array {
  const inputs = options.inputs ?? [{ name: "input", width: model.inWidth }];
  const total = inputs.reduce((s, input) => s + input.width, 0);
  if (total !== model.inWidth) throw new NnError(`ONNX export: input widths add up to ${total}, the model takes ${model.inWidth}`);
  const graph = new GraphBuilder();
  let x =
    inputs.length === 1
      ? (inputs[0] as OnnxInput).name
      : graph.one(
          "Concat",
          inputs.map((i) => i.name),
          [{ name: "axis", type: OnnxAttributeType.int, i: 1 }],
        );
  const weights = model.saveWeights();
  let p = 0;
  let s = model.parameterCount;
  for (const layer of model.layers) {
    x = emitLayer(graph, layer, x, weights.subarray(p, p + layer.parameterCount), weights.subarray(s, s + layer.stateCount));
    p += layer.parameterCount;
    s += layer.stateCount;
  }
  if (options.outputSpans) x = emitOutputSpans(graph, x, options.outputSpans, model.outWidth);
  const outputName = options.outputName ?? "output";
  graph.nodes.push({ input: [x], output: [outputName], name: "output_identity", op_type: "Identity", attribute: [] });
  const type = onnxModelType();
  const message = type.fromObject({
    ir_version: 8,
    producer_name: "datalab-nn",
    producer_version: "1",
    opset_import: [{ domain: "", version: 17 }],
    graph: {
      name: options.graphName ?? "datalab_model",
      node: graph.nodes,
      initializer: graph.initializers,
      input: inputs.map((i) => valueInfo(i.name, i.width)),
      output: [valueInfo(outputName, model.outWidth)],
    },
  });
  return type.encode(message).finish();
}

/** Writes the ONNX model to `path` atomically (temporary file, then rename). */
export async function writeOnnxFile(path: string, model: Sequential, options: OnnxExportOptions = {}): Promise<void> {
  const bytes = exportOnnx(model, options);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}
