/**
 * The wire layout of a federated MLP's parameters (proto FederatedModelSpec: per layer its
 * weights [inputs × outputs] row-major, weights[i·outputs + o], then its bias) and nn/'s arena
 * layout (per layer W [outputs × inputs] row-major as torch stores it, then the bias). The
 * holder converts at the boundary; updates travel in the wire layout.
 */
export class ParameterLayoutError extends Error {
  override readonly name = "ParameterLayoutError";
}

/** Layer widths: input, hidden…, output. */
export function layerWidths(inputWidth: number, hidden: readonly number[], outputWidth: number): number[] {
  return [inputWidth, ...hidden, outputWidth];
}

export function parameterCountOf(widths: readonly number[]): number {
  let count = 0;
  for (let l = 0; l + 1 < widths.length; l += 1) count += (widths[l] as number) * (widths[l + 1] as number) + (widths[l + 1] as number);
  return count;
}

function convert(values: Float32Array, widths: readonly number[], toWire: boolean): Float32Array {
  const expected = parameterCountOf(widths);
  if (values.length !== expected)
    throw new ParameterLayoutError(`the parameter vector has ${values.length} values; layers ${widths.join("→")} need ${expected}`);
  const out = new Float32Array(values.length);
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l += 1) {
    const inputs = widths[l] as number;
    const outputs = widths[l + 1] as number;
    for (let i = 0; i < inputs; i += 1)
      for (let o = 0; o < outputs; o += 1) {
        const wire = offset + i * outputs + o;
        const arena = offset + o * inputs + i;
        if (toWire) out[wire] = values[arena] as number;
        else out[arena] = values[wire] as number;
      }
    offset += inputs * outputs;
    out.set(values.subarray(offset, offset + outputs), offset);
    offset += outputs;
  }
  return out;
}

/** nn arena order → wire order. */
export function arenaToWire(values: Float32Array, widths: readonly number[]): Float32Array {
  return convert(values, widths, true);
}

/** wire order → nn arena order. */
export function wireToArena(values: Float32Array, widths: readonly number[]): Float32Array {
  return convert(values, widths, false);
}

/** Little-endian float32 bytes of a vector (the MODEL_UPDATE file). */
export function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i += 1) view.setFloat32(i * 4, values[i] as number, true);
  return bytes;
}

/** The vector of little-endian float32 bytes (the global model file). */
export function float32FromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new ParameterLayoutError(`a float32 vector file must be a multiple of 4 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i += 1) out[i] = view.getFloat32(i * 4, true);
  return out;
}
