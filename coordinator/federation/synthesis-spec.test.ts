import { describe, expect, test } from "vitest";
import type { JobSpecOut } from "../../proto/index.js";
import { InvalidArgumentError } from "../errors.js";
import { validateFederatedSynthesisSpec } from "./synthesis-spec.js";

const federated = {
  datasetId: "adult",
  targetColumn: "",
  task: "",
  hiddenLayerSizes: [],
  rounds: 0,
  localEpochs: 0,
  localBatchSize: 0,
  learningRate: 0,
  strategy: "",
  proximalMu: 0,
  serverLearningRate: 0,
  beta1: 0,
  beta2: 0,
  tau: 0,
  trimFraction: 0,
  fractionFit: 0,
  minHolders: 3,
  roundDeadlineSeconds: 60,
  clipNorm: 0,
  noiseMultiplier: 0,
  targetQuantile: 0,
  clipLearningRate: 0,
  clipCountNoiseMultiplier: 0,
  delta: 0,
  shardsPerHolder: 0,
  purpose: "synthetic-data",
  maxRoundRetries: 0,
  holderIds: [],
};
const spec = (overrides: Record<string, unknown> = {}, f: Record<string, unknown> = {}) =>
  ({ kind: "JOB_KIND_FEDERATED_SYNTHESIS", model: "mst", rows: 100, epsilon: 1, federated: { ...federated, ...f }, ...overrides }) as unknown as JobSpecOut;

describe("FEDERATED_SYNTHESIS spec checks", () => {
  test("a complete spec passes; each broken rule names its field", () => {
    expect(() => validateFederatedSynthesisSpec(spec())).not.toThrow();
    expect(() => validateFederatedSynthesisSpec(spec({ model: "" }))).not.toThrow();
    expect(() => validateFederatedSynthesisSpec(spec({ federated: null }))).toThrow(InvalidArgumentError);
    expect(() => validateFederatedSynthesisSpec(spec({}, { datasetId: "a b" }))).toThrow(/^federated.dataset_id must be/);
    expect(() => validateFederatedSynthesisSpec(spec({ model: "ctgan" }))).toThrow('model must be "mst"');
    expect(() => validateFederatedSynthesisSpec(spec({ epsilon: undefined }))).toThrow("epsilon must be each holder's budget");
    expect(() => validateFederatedSynthesisSpec(spec({}, { delta: 0.01 }))).toThrow("federated.delta must be in (0, 0.001)");
    expect(() => validateFederatedSynthesisSpec(spec({}, { holderIds: ["ok", "not ok"] }))).toThrow("federated.holder_ids");
  });

  test("training settings are refused rather than ignored", () => {
    for (const [field, value] of [
      ["targetColumn", "income"],
      ["rounds", 5],
      ["noiseMultiplier", 1],
      ["clipNorm", 1],
      ["strategy", "fedavg"],
    ] as const)
      expect(() => validateFederatedSynthesisSpec(spec({}, { [field]: value }))).toThrow(/applies to FEDERATED_TRAINING jobs only/);
  });
});
