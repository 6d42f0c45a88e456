import { describe, expect, test } from "vitest";
import { clopperPearsonLower, clopperPearsonUpper } from "./clopper-pearson.js";
import { attackAuc, epsilonLowerBoundFromCounts } from "./epsilon-lower-bound.js";

describe("Clopper–Pearson bounds", () => {
  test("closed forms at the edges: 0 of n → 1 − α^{1/n}; n of n → α^{1/n}", () => {
    expect(clopperPearsonUpper(0, 100, 0.05)).toBeCloseTo(1 - 0.05 ** (1 / 100), 10);
    expect(clopperPearsonLower(100, 100, 0.05)).toBeCloseTo(0.05 ** (1 / 100), 10);
    expect(clopperPearsonLower(0, 100, 0.05)).toBe(0);
    expect(clopperPearsonUpper(100, 100, 0.05)).toBe(1);
  });

  test("the bound is where the exact binomial tail equals α (summed directly for n = 40)", () => {
    const n = 40;
    const k = 7;
    const upper = clopperPearsonUpper(k, n, 0.025);
    let tail = 0;
    let term = (1 - upper) ** n;
    for (let i = 0; i <= k; i++) {
      tail += term;
      term *= ((n - i) / (i + 1)) * (upper / (1 - upper));
    }
    expect(tail).toBeCloseTo(0.025, 8);
    expect(clopperPearsonLower(k, n, 0.025)).toBeLessThan(k / n);
  });

  test("covers the true proportion at least 1 − α of the time (2000 simulated binomials)", () => {
    let state = 12345;
    const uniform = (): number => {
      state = (state * 48_271) % 2_147_483_647;
      return state / 2_147_483_647;
    };
    const p = 0.03;
    let covered = 0;
    for (let rep = 0; rep < 2000; rep++) {
      let k = 0;
      for (let i = 0; i < 200; i++) if (uniform() < p) k++;
      if (clopperPearsonUpper(k, 200, 0.05) >= p) covered++;
    }
    expect(covered / 2000).toBeGreaterThanOrEqual(0.94);
  });
});

describe("ε lower bound and AUC", () => {
  test("a perfect attack on many trials bounds ε far above 1; a useless one bounds it at 0", () => {
    expect(epsilonLowerBoundFromCounts(0, 10_000, 0, 10_000, 0, 0.05)).toBeGreaterThan(7);
    expect(epsilonLowerBoundFromCounts(5000, 10_000, 5000, 10_000, 0, 0.05)).toBe(0);
  });

  test("AUC: 1 for separated scores, ½ for identical ones", () => {
    expect(attackAuc([0, 1, 2], [3, 4, 5])).toBe(1);
    expect(attackAuc([1, 1, 1], [1, 1, 1])).toBe(0.5);
    expect(attackAuc([0, 2], [1, 3])).toBe(0.75);
  });
});
