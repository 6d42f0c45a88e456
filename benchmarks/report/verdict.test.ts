import { describe, expect, test } from "vitest";
import { gradeOf, verdict } from "./verdict.js";

const base = {
  columnShapes: 0.95,
  allPairsTrends: 0.9,
  sdmetricsQuality: 0.9,
  sdmetricsPairTrends: 0.85,
  pairsMeetingThreshold: 5,
  pairCount: 10,
  associationRetained: 0.8,
};

describe("verdict", () => {
  test("a faithful, useful, private table is 'good' with no flags", () => {
    const v = verdict({ ...base, usefulnessRatio: 0.95, usefulnessTarget: "y", usefulnessMetric: "f1", newRowSynthesis: 1, dcrBaselineProtection: 0.6 });
    expect(v.grade).toBe("good");
    expect(v.flags).toEqual([]);
    expect(v.text).toMatch(/^Overall good .*Pair trends are preserved.*useful for machine learning.*No privacy concern/);
  });
  test("perfect shapes with lost dependence is called out even when the SDMetrics-style score is high", () => {
    const v = verdict({ ...base, columnShapes: 1, associationRetained: 0.08, sdmetricsQuality: 0.88 });
    expect(v.flags).toEqual(["pair-trends-not-preserved", "sdmetrics-quality-misleading"]);
    expect(v.grade).toBe("unusable");
    expect(v.text).toMatch(/Pair trends are not preserved: it keeps 8% .*quality score of 0\.88 does not show this/);
  });
  test("privacy findings are listed with their numbers", () => {
    const v = verdict({
      ...base,
      newRowSynthesis: 0.9,
      dcrBaselineProtection: 0.1,
      dcrOverfittingProtection: 0.3,
      membershipAuc: 0.75,
      disclosureProtection: 0.2,
    });
    expect(v.flags).toEqual(["copies-real-rows", "close-to-real-rows", "overfits-training-rows", "membership-leak", "attribute-disclosure"]);
    expect(v.privacyConcerns).toBe(5);
    expect(v.text).toMatch(/10% of the synthetic rows copy a real row/);
  });
  test("grades are cut from the geometric-mean fidelity score", () => {
    expect([0.85, 0.7, 0.55, 0.3].map(gradeOf)).toEqual(["good", "fair", "poor", "unusable"]);
    // (0.9 · 0.9 · 0.1)^(1/3) ≈ 0.43: one lost aspect cannot be averaged away.
    expect(verdict({ ...base, columnShapes: 0.9, allPairsTrends: 0.9, associationRetained: 0.1 }).score).toBeCloseTo(Math.cbrt(0.081), 12);
  });
  test("metrics that could not be computed read n/a, never NaN", () => {
    const v = verdict({ ...base, allPairsTrends: Number.NaN, associationRetained: Number.NaN, usefulnessRatio: Number.NaN, dcrBaselineProtection: Number.NaN });
    expect(v.text).not.toMatch(/NaN/);
    expect(v.flags).toContain("pair-trends-not-measured");
    expect(v.text).toMatch(/Pair trends could not be measured/);
    const none = verdict({ ...base, columnShapes: Number.NaN, allPairsTrends: Number.NaN, associationRetained: Number.NaN });
    expect(none.text).toMatch(/^Overall not graded: the fidelity score could not be computed\./);
    expect(none.text).not.toMatch(/NaN/);
  });
});
