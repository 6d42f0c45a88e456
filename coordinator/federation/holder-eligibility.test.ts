import { describe, expect, it } from "vitest";
import type { HolderPolicySummaryOut, JobSpecOut } from "../../proto/index.js";
import { federatedEpsilon } from "./dp-accounting.js";
import { federatedSettings } from "./federated-spec.js";
import { policyRefusal } from "./holder-eligibility.js";

const policy: HolderPolicySummaryOut = {
  allowedKinds: ["JOB_KIND_FEDERATED_TRAINING"],
  allowedPurposes: ["research"],
  maxEpsilonPerJob: 3,
  maxDeltaPerJob: 1e-5,
  remainingEpsilon: 5,
  minCohortSize: 3,
  localNoiseRequired: false,
  requireDp: true,
};

function settings(federated: Record<string, unknown>, epsilon?: number) {
  return federatedSettings({
    federated: {
      datasetId: "d",
      purpose: "research",
      rounds: 10,
      fractionFit: 0.1,
      clipNorm: 1,
      noiseMultiplier: 1.5,
      hiddenLayerSizes: [],
      holderIds: [],
      delta: 0,
      ...federated,
    },
    epsilon,
  } as unknown as JobSpecOut);
}

describe("holder eligibility from the declared policy", () => {
  it("asks a holder whose policy accepts the job", () => {
    expect(federatedEpsilon(0.1, 1.5, 10, 1e-5)).toBeLessThan(3);
    expect(policyRefusal(policy, settings({}, 3))).toBe("");
    expect(policyRefusal(null, settings({}, 3))).toBe("");
  });

  it("skips one that would refuse, saying why", () => {
    expect(policyRefusal({ ...policy, allowedKinds: ["JOB_KIND_FEDERATED_SYNTHESIS"] }, settings({}))).toMatch(/does not allow federated training/);
    expect(policyRefusal(policy, settings({ purpose: "marketing" }))).toMatch(/purpose "marketing"/);
    expect(policyRefusal(policy, settings({ noiseMultiplier: 0 }))).toMatch(/requires differential privacy/);
    expect(federatedEpsilon(1, 1.5, 10, 1e-5)).toBeGreaterThan(5);
    expect(policyRefusal(policy, settings({ fractionFit: 1 }))).toMatch(/above its per-job maximum 3/);
    expect(policyRefusal({ ...policy, maxEpsilonPerJob: 100, remainingEpsilon: 0.5 }, settings({}))).toMatch(/above its remaining budget 0.5/);
    expect(policyRefusal(policy, settings({ delta: 1e-4 }))).toMatch(/delta 0.0001/);
  });
});
