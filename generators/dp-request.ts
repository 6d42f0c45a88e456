/**
 * What a user may ask of a differentially private fit, checked before any work: the model must be
 * a DP one, ε a finite number > 0, δ in (0, 1/n). δ defaults to a fixed 1e-9, not 1/n²: a default
 * computed from n would make δ itself depend on the table (a little leak), and 1e-9 is below
 * 1/n² for every table up to 31,622 rows and far below 1/n (the usual "δ ≪ 1/n" rule) for any
 * table under a billion rows.
 */
import { rhoFromEpsilonDelta } from "../privacy/index.js";
import { DpInputError } from "./errors.js";

export const DEFAULT_DELTA = 1e-9;

/** Generators that fit with differential privacy (`datalab synth --model … --epsilon E`). */
export const DP_MODELS = ["mst", "dp-copula", "aim"] as const;
export type DpModelName = (typeof DP_MODELS)[number];

/** Every `--model` name: the Gaussian copula, the non-private tree (Chow–Liu via `mst` without ε), the DP models, CTGAN and TVAE. */
export const SYNTH_MODELS = ["copula", "mst", "dp-copula", "aim", "ctgan", "tvae"] as const;
export type SynthModelName = (typeof SYNTH_MODELS)[number];

export interface DpRequest {
  epsilon: number;
  delta: number;
  /** The zCDP budget whose (ε, δ) conversion (Canonne, Kamath & Steinke 2020) fits the request. */
  rho: number;
}

/**
 * Checks a model name with ε/δ (ε undefined: a non-private fit). Throws DpInputError, one line.
 * `rows` (the table's size) only bounds δ; it is not stored.
 */
export function checkDpRequest(model: string, epsilon: number | undefined, delta: number | undefined, rows: number | undefined): DpRequest | null {
  if (!(SYNTH_MODELS as readonly string[]).includes(model)) throw new DpInputError(`unknown model "${model}"; use one of ${SYNTH_MODELS.join(", ")}.`);
  if (epsilon === undefined) {
    if (delta !== undefined) throw new DpInputError("--delta needs --epsilon; give both for a private fit, or neither.");
    if (model === "dp-copula" || model === "aim") throw new DpInputError(`model ${model} is differentially private and needs --epsilon E (e.g. --epsilon 1).`);
    return null;
  }
  if (!(DP_MODELS as readonly string[]).includes(model)) {
    throw new DpInputError(
      `model "${model}" is not differentially private, so --epsilon cannot be honoured; use --model ${DP_MODELS.join(" or --model ")}, or drop --epsilon.`,
    );
  }
  if (!Number.isFinite(epsilon) || epsilon <= 0) throw new DpInputError(`--epsilon must be a finite number > 0, got ${epsilon}.`);
  const d = delta ?? DEFAULT_DELTA;
  if (!Number.isFinite(d) || d <= 0 || d >= 1) throw new DpInputError(`--delta must be a number in (0, 1), got ${d}.`);
  if (rows !== undefined && rows > 0 && d >= 1 / rows) {
    throw new DpInputError(
      `--delta ${d} is not below 1/n = ${(1 / rows).toPrecision(3)} for this table; such a δ allows publishing a row outright. Use a smaller δ (default ${DEFAULT_DELTA}).`,
    );
  }
  return { epsilon, delta: d, rho: rhoFromEpsilonDelta(epsilon, d) };
}
