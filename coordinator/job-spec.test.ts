import { describe, expect, test } from "vitest";
import type { SubmitJobRequestOut } from "../proto/index.js";
import { InvalidArgumentError } from "./errors.js";
import { validateSubmit } from "./job-spec.js";

/** A SubmitJob request as the loader hands it to the handler (defaults filled in). */
function request(spec: Record<string, unknown> = {}): SubmitJobRequestOut {
  return {
    idempotencyKey: "key-1",
    spec: {
      kind: "JOB_KIND_SYNTHESIS",
      input: { bundledUri: "vega:penguins.json", source: "bundledUri" },
      schemaJson: "",
      rows: 100,
      model: "gaussian_copula",
      conditions: [],
      scoring: null,
      resources: null,
      modelOptionsJson: "",
      maxAttempts: 0,
      displayName: "",
      outputFormat: "",
      ...spec,
    },
  } as unknown as SubmitJobRequestOut;
}

function refusal(spec: Record<string, unknown>): string {
  try {
    validateSubmit(request(spec), 3);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error("validateSubmit accepted the spec");
}

describe("validateSubmit: only what the product implements", () => {
  test("a plain copula job is accepted", () => {
    expect(validateSubmit(request(), 3).kind).toBe("JOB_KIND_SYNTHESIS");
  });

  test("epsilon for a model that is not differentially private is refused, not silently ignored", () => {
    expect(refusal({ epsilon: 1 })).toMatch(/^spec\.epsilon: no differentially private model is available for "gaussian_copula"/);
    expect(refusal({ epsilon: 1, model: "" })).toMatch(/no differentially private model is available for "gaussian_copula"/);
    // Still range-checked first.
    expect(refusal({ epsilon: -1 })).toMatch(/epsilon must be a positive finite number/);
  });

  test("epsilon routes to the differentially private models; their options and needs are checked", () => {
    expect(validateSubmit(request({ model: "mst", epsilon: 1 }), 3).spec.epsilon).toBe(1);
    expect(validateSubmit(request({ model: "dp_copula", epsilon: 0.5, modelOptionsJson: '{"delta": 1e-10}' }), 3).spec.model).toBe("dp_copula");
    expect(validateSubmit(request({ model: "mst" }), 3).spec.model).toBe("mst"); // Chow–Liu tree without a budget
    expect(refusal({ model: "dp_copula" })).toMatch(/model "dp_copula" is differentially private and needs epsilon/);
    expect(refusal({ model: "mst", modelOptionsJson: '{"delta": 1e-10}' })).toMatch(/"delta", which only a differentially private fit/);
    expect(refusal({ model: "mst", epsilon: 1, modelOptionsJson: '{"delta": 2}' })).toMatch(/"delta" must be a number in \(0, 1\), got 2/);
  });

  test("epsilon on a SAMPLE job is refused: sampling a model spends no budget", () => {
    expect(refusal({ kind: "JOB_KIND_SAMPLE", epsilon: 1 })).toMatch(/epsilon applies to SYNTHESIS jobs/);
  });

  test("model_options_json that no model reads is refused", () => {
    expect(refusal({ modelOptionsJson: '{"epochs": 300}' })).toMatch(/model_options_json sets "epochs", which only a neural model \(ctgan, tvae\) reads/);
    expect(validateSubmit(request({ modelOptionsJson: "{}" }), 3).spec.modelOptionsJson).toBe("{}");
  });

  test("a model name the product does not have is refused at submit, with the names it has", () => {
    expect(refusal({ model: "privbayes" })).toMatch(/"privbayes" is not a synthesizer this datalab has; use one of gaussian_copula/);
    // aim is a DP model: without epsilon it is refused for that reason, with it accepted.
    expect(refusal({ model: "aim" })).toMatch(/model "aim" is differentially private and needs epsilon/);
    expect(validateSubmit(request({ model: "aim", epsilon: 1 }), 3).spec.model).toBe("aim");
  });
});
