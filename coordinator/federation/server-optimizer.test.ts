import { describe, expect, it } from "vitest";
import { applyServerStep, newOptimizerState } from "./server-optimizer.js";

function randomVector(n: number, seed: number): Float32Array {
  let x = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = (x / 2147483648 - 0.5) * 0.2;
  }
  return out;
}

/** Float64 reference of Reddi et al. 2021, Alg. 2 (FedAdam / FedYogi), written out per step. */
function reference(strategy: "fedadam" | "fedyogi", x0: Float32Array, deltas: Float32Array[], eta: number, b1: number, b2: number, tau: number): Float64Array {
  const x = Float64Array.from(x0);
  const m = new Float64Array(x.length);
  const v = new Float64Array(x.length).fill(tau * tau);
  for (const delta of deltas) {
    for (let i = 0; i < x.length; i++) {
      const d = delta[i] as number;
      m[i] = b1 * (m[i] as number) + (1 - b1) * d;
      const vi = v[i] as number;
      v[i] = strategy === "fedadam" ? b2 * vi + (1 - b2) * d * d : vi - (1 - b2) * d * d * Math.sign(vi - d * d);
      x[i] = (x[i] as number) + (eta * (m[i] as number)) / (Math.sqrt(v[i] as number) + tau);
    }
  }
  return x;
}

describe("server optimisers", () => {
  it("fedavg adds the mean update", () => {
    const x = randomVector(1000, 1);
    const d = randomVector(1000, 2);
    const expected = Float64Array.from(x, (v, i) => v + (d[i] as number));
    applyServerStep("fedavg", x, d, { serverLearningRate: 1, beta1: 0, beta2: 0, tau: 1 }, undefined);
    for (let i = 0; i < 1000; i++) expect(x[i]).toBeCloseTo(expected[i] as number, 6);
  });

  for (const strategy of ["fedadam", "fedyogi"] as const) {
    it(`${strategy} matches a float64 reference over 5 rounds of fresh random updates`, () => {
      const n = 4096;
      const x = randomVector(n, 7);
      const x0 = x.slice();
      const deltas = [1, 2, 3, 4, 5].map((r) => randomVector(n, 100 + r));
      const settings = { serverLearningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
      const state = newOptimizerState(n, settings.tau);
      for (const d of deltas) applyServerStep(strategy, x, d, settings, state);
      const expected = reference(strategy, x0, deltas, 0.01, 0.9, 0.99, 1e-3);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (expected[i] as number)));
      // float32 state vs float64: each step moves x by at most η = 0.01; 1e-5 is float32 rounding of m, v over 5 steps.
      expect(worst).toBeLessThan(1e-5);
      // and the step really moved the model (not a no-op)
      expect(Math.abs((x[0] as number) - (x0[0] as number))).toBeGreaterThan(1e-3);
    });
  }

  it("fedyogi and fedadam differ once v exceeds Δ² (Yogi's additive v update)", () => {
    const n = 64;
    const a = new Float32Array(n);
    const y = new Float32Array(n);
    const settings = { serverLearningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
    const sa = newOptimizerState(n, settings.tau);
    const sy = newOptimizerState(n, settings.tau);
    for (const scale of [1, 1, 0.01, 0.01]) {
      const d = new Float32Array(n).fill(scale);
      applyServerStep("fedadam", a, d, settings, sa);
      applyServerStep("fedyogi", y, d, settings, sy);
    }
    // Adam decays v multiplicatively (≈0.0195 after the two small steps), Yogi subtracts only (1−β₂)Δ² (≈0.0200).
    expect(Math.abs((sa.v[0] as number) - (sy.v[0] as number))).toBeGreaterThan(3e-4);
  });
});
