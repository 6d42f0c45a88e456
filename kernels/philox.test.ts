import { describe, expect, it } from "vitest";
import { backendFor } from "./index.js";
import { philox4x32Reference, philoxNormalReference, philoxUniformReference } from "./reference.js";
import { describeMismatch, firstMismatch, testSeed } from "./test-support.js";

const cpu = backendFor("cpu");

// Known-answer vectors of Random123's kat_vectors (philox4x32, 10 rounds): counter[4] key[2] → out[4].
const KAT: Array<{ ctr: number[]; key: [number, number]; out: number[] }> = [
  { ctr: [0, 0, 0, 0], key: [0, 0], out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  { ctr: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], key: [0xffffffff, 0xffffffff], out: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd] },
  { ctr: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], key: [0xa4093822, 0x299f31d0], out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1] },
];

describe("Philox 4x32-10", () => {
  it("matches the Random123 known-answer vectors (native and TS reference)", () => {
    for (const v of KAT) {
      expect(Array.from(cpu.philoxRaw(v.key, Uint32Array.from(v.ctr), 1))).toEqual(v.out);
      expect(philox4x32Reference(v.ctr, v.key)).toEqual(v.out);
    }
  });

  it("increments the 128-bit counter with carry between blocks", () => {
    const raw = cpu.philoxRaw([7, 9], Uint32Array.from([0xffffffff, 0, 0, 0]), 2);
    expect(Array.from(raw.subarray(4))).toEqual(philox4x32Reference([0, 1, 0, 0], [7, 9]));
  });

  it("gives bit-identical uniforms to the float64 reference at any counter, never 0 or 1", () => {
    const seed = BigInt(testSeed());
    for (const counter of [0n, 1n, 12_345n, 2n ** 40n + 3n]) {
      const out = new Float64Array(1001);
      cpu.philoxUniform(seed, counter, out);
      const ref = philoxUniformReference(seed, counter, out.length);
      expect(
        describeMismatch(
          Number(seed),
          firstMismatch(out, ref, () => 0),
          out,
          ref,
        ),
      ).toBe("ok");
      expect(out.every((u) => u > 0 && u < 1)).toBe(true);
    }
  });

  it("keeps the stream position: draws counter..counter+n are a window of one stream", () => {
    const seed = 42n;
    const long = new Float64Array(200_000);
    cpu.philoxNormal(seed, 10n, long);
    const window = new Float64Array(777);
    cpu.philoxNormal(seed, 10n + 99_999n, window);
    expect(Array.from(window)).toEqual(Array.from(long.subarray(99_999, 99_999 + 777)));
  });

  it("gives normals within 1e-12 of Box–Muller in float64 (libm vs V8 transcendentals differ by ulps)", () => {
    const seed = BigInt(testSeed());
    const out = new Float64Array(4097);
    cpu.philoxNormal(seed, 3n, out);
    const ref = philoxNormalReference(seed, 3n, out.length);
    expect(
      describeMismatch(
        Number(seed),
        firstMismatch(out, ref, (i) => 1e-12 * Math.max(1, Math.abs(ref[i]!))),
        out,
        ref,
      ),
    ).toBe("ok");
  });

  it("has the moments of N(0,1) and U(0,1) on 1M draws", () => {
    // Standard errors at n = 1e6: mean 0.001, variance ~0.0014; 6-sigma bounds below.
    const n = 1_000_000;
    const z = new Float64Array(n);
    cpu.philoxNormal(BigInt(testSeed()), 0n, z);
    const mean = z.reduce((s, x) => s + x, 0) / n;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.006);
    expect(Math.abs(variance - 1)).toBeLessThan(0.009);
    const u = new Float64Array(n);
    cpu.philoxUniform(BigInt(testSeed()), 0n, u);
    const umean = u.reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(umean - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / n));
  });

  it("handles empty outputs and 64-bit seeds", () => {
    cpu.philoxUniform(2n ** 64n - 1n, 2n ** 63n, new Float64Array(0));
    const out = new Float64Array(3);
    cpu.philoxUniform(2n ** 64n - 1n, 5n, out);
    expect(Array.from(out)).toEqual(Array.from(philoxUniformReference(2n ** 64n - 1n, 5n, 3)));
  });
});
