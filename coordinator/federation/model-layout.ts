/**
 * The parameter layout of a federated MLP (FederatedModelSpec in proto/): one flat float32 vector,
 * for each layer in order its weight matrix [inputs x outputs] row-major, then its bias. The
 * coordinator only adds updates to this vector; the layout matters for the initial model and for
 * the exported final model.
 */
import { philoxUniform } from "../../kernels/index.js";

/** The architecture of a federated model. */
export interface ModelShape {
  readonly inputDimension: number;
  readonly hiddenLayerSizes: readonly number[];
  readonly outputDimension: number;
}

/** One dense layer's place in the vector. */
export interface LayerSlice {
  readonly inputs: number;
  readonly outputs: number;
  /** Offset of the weights (inputs x outputs floats); the bias follows them. */
  readonly weightOffset: number;
  readonly biasOffset: number;
}

/** The layers of a shape and where each sits in the parameter vector. */
export function layerSlices(shape: ModelShape): LayerSlice[] {
  const widths = [shape.inputDimension, ...shape.hiddenLayerSizes, shape.outputDimension];
  const layers: LayerSlice[] = [];
  let offset = 0;
  for (let i = 0; i + 1 < widths.length; i++) {
    const inputs = widths[i] as number;
    const outputs = widths[i + 1] as number;
    layers.push({ inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs });
    offset += inputs * outputs + outputs;
  }
  return layers;
}

/** Total parameters of a shape. */
export function parameterCount(shape: ModelShape): number {
  return layerSlices(shape).reduce((sum, layer) => sum + layer.inputs * layer.outputs + layer.outputs, 0);
}

/**
 * The initial global model: Glorot-uniform weights (Glorot & Bengio 2010: U(−a, a), a =
 * √(6 / (inputs + outputs))) from Philox at `seed`, zero biases. Same seed, same model.
 */
const INIT_BLOCK_VALUES = 65_536;

export function initialModel(shape: ModelShape, seed: bigint): Float32Array {
  const params = new Float32Array(parameterCount(shape));
  let counter = 0n;
  // Uniforms drawn a block at a time (Philox is counter-based: the same values as one draw of the
  // whole layer) so a 10M-weight layer costs 512 KB of float64, not 80 MB, at the job's start.
  const uniforms = new Float64Array(INIT_BLOCK_VALUES);
  for (const layer of layerSlices(shape)) {
    const count = layer.inputs * layer.outputs;
    const bound = Math.sqrt(6 / (layer.inputs + layer.outputs));
    for (let start = 0; start < count; start += INIT_BLOCK_VALUES) {
      const block = uniforms.subarray(0, Math.min(INIT_BLOCK_VALUES, count - start));
      philoxUniform(seed, counter + BigInt(start), block);
      for (let i = 0; i < block.length; i++) params[layer.weightOffset + start + i] = (2 * (block[i] as number) - 1) * bound;
    }
    counter += BigInt(count);
  }
  return params;
}

/** The bytes of a parameter vector as they travel (little-endian float32). */
export function parametersToBytes(params: Float32Array): Uint8Array {
  return new Uint8Array(params.buffer, params.byteOffset, params.byteLength);
}

/** A parameter vector from little-endian float32 bytes (copied when unaligned). */
export function parametersFromBytes(bytes: Uint8Array, expected: number, what: string): Float32Array {
  if (bytes.byteLength !== expected * 4) {
    throw new RangeError(`${what} has ${bytes.byteLength} bytes; the model has ${expected} float32 parameters (${expected * 4} bytes)`);
  }
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, expected);
  return new Float32Array(bytes.slice().buffer, 0, expected);
}
