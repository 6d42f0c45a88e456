/**
 * The synthesizer names a job may ask for, and which of them are differentially private. This is
 * the ONE place that says so: the coordinator refuses at SubmitJob a job whose `epsilon` names a
 * model outside `DIFFERENTIALLY_PRIVATE_MODELS` (a budget that nothing spends is a promise the
 * product would break), and `datalab submit` checks the same rule before it uploads anything.
 *
 * Adding a DP synthesizer: add its name to `DIFFERENTIALLY_PRIVATE_MODELS` (it joins
 * `SYNTHESIZER_MODELS` by itself) and teach the node's task runner to run it.
 */

/** The Gaussian copula (not differentially private), under the spellings jobs have used. */
export const GAUSSIAN_COPULA_MODELS: ReadonlySet<string> = new Set(["gaussian_copula", "gaussian-copula", "copula"]);

/**
 * Models that spend a job's epsilon (generators/mst, generators/dp-copula, generators/aim). `mst`
 * without epsilon fits the same tree from exact marginals (Chow–Liu); `dp_copula` and `aim` always need epsilon.
 */
export const DIFFERENTIALLY_PRIVATE_MODELS: ReadonlySet<string> = new Set(["mst", "dp_copula", "dp-copula", "aim"]);

/** DP models that have no non-private mode: a job without epsilon is refused. */
export const MODELS_NEEDING_EPSILON: ReadonlySet<string> = new Set(["dp_copula", "dp-copula", "aim"]);

/** The neural synthesizers (generators/ctgan): not differentially private. */
export const NEURAL_MODELS: ReadonlySet<string> = new Set(["ctgan", "tvae"]);

/** Every model name a SYNTHESIS job may ask for. */
export const SYNTHESIZER_MODELS: ReadonlySet<string> = new Set([...GAUSSIAN_COPULA_MODELS, ...DIFFERENTIALLY_PRIVATE_MODELS, ...NEURAL_MODELS]);

/** Keys of `model_options_json` a model reads: δ of a differentially private fit; the DP copula's share of ρ for private bounds; epochs and batch size of a neural one. */
export function modelOptionsProblem(model: string, epsilon: number | undefined, options: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(options)) {
    if (key === "epochs" || key === "batch_size") {
      if (!NEURAL_MODELS.has(model)) return `sets "${key}", which only a neural model (ctgan, tvae) reads`;
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) return `"${key}" must be a whole number ≥ 1, got ${JSON.stringify(value)}`;
      continue;
    }
    if (key === "bounds_epsilon_share") {
      if (epsilon === undefined || (model !== "dp_copula" && model !== "dp-copula"))
        return `sets "bounds_epsilon_share", which only a DP copula fit (dp_copula with epsilon) reads`;
      if (typeof value !== "number" || !(value > 0 && value < 1)) return `"bounds_epsilon_share" must be a number in (0, 1), got ${JSON.stringify(value)}`;
      continue;
    }
    if (key !== "delta")
      return `sets "${key}", but no model of this datalab reads it; the options are "delta" (δ of a DP fit), "bounds_epsilon_share" (dp_copula), "epochs" and "batch_size" (ctgan, tvae)`;
    if (epsilon === undefined || !DIFFERENTIALLY_PRIVATE_MODELS.has(model))
      return `sets "delta", which only a differentially private fit (a DP model with epsilon) reads`;
    if (typeof value !== "number" || !(value > 0 && value < 1)) return `"delta" must be a number in (0, 1), got ${JSON.stringify(value)}`;
  }
  return null;
}

/** The model a job runs when it names none. */
export const DEFAULT_SYNTHESIZER_MODEL = "gaussian_copula";

/** Why `model` cannot run at all (unknown name), or null. `model` "" means the default. */
export function unknownModelProblem(model: string): string | null {
  const name = model === "" ? DEFAULT_SYNTHESIZER_MODEL : model;
  if (SYNTHESIZER_MODELS.has(name)) return null;
  return `"${name}" is not a synthesizer this datalab has; use one of ${[...SYNTHESIZER_MODELS].join(", ")}`;
}

/**
 * Why a job asking for `epsilon` with `model` cannot keep that promise, or null when it can (or
 * when no epsilon is asked for). `model` "" means the default model.
 */
export function epsilonProblem(model: string, epsilon: number | undefined): string | null {
  const name = model === "" ? DEFAULT_SYNTHESIZER_MODEL : model;
  if (epsilon === undefined) return MODELS_NEEDING_EPSILON.has(name) ? `model "${name}" is differentially private and needs epsilon (e.g. 1)` : null;
  if (DIFFERENTIALLY_PRIVATE_MODELS.has(name)) return null;
  const available =
    DIFFERENTIALLY_PRIVATE_MODELS.size === 0
      ? "this datalab has no differentially private model yet"
      : `the DP models are ${[...DIFFERENTIALLY_PRIVATE_MODELS].join(", ")}`;
  const why = `epsilon ${epsilon} was asked for, but ${name} would ignore it: ${available}`;
  return `no differentially private model is available for "${name}" (${why}); leave epsilon unset for a non-private model`;
}
