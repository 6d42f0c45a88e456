import { describe, expect, it } from "vitest";
import { philoxUniform } from "../../kernels/index.js";
import { initialModel, layerSlices, type ModelShape, parameterCount } from "./model-layout.js";

describe("initialModel", () => {
  it("draws a large layer block by block with the same values as one draw of the whole layer", () => {
    // 300 × 400 = 120,000 weights: the first layer spans two blocks of 65,536 uniforms.
    const shape: ModelShape = { inputDimension: 300, hiddenLayerSizes: [400], outputDimension: 3 };
    const seed = 12345n;
    const params = initialModel(shape, seed);
    expect(params.length).toBe(parameterCount(shape));
    let counter = 0n;
    for (const layer of layerSlices(shape)) {
      const count = layer.inputs * layer.outputs;
      const whole = new Float64Array(count);
      philoxUniform(seed, counter, whole);
      counter += BigInt(count);
      const bound = Math.sqrt(6 / (layer.inputs + layer.outputs));
      const expected = Float32Array.from(whole, (u) => (2 * u - 1) * bound);
      expect(params.subarray(layer.weightOffset, layer.weightOffset + count)).toEqual(expected);
    }
  });
});
