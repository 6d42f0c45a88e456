/**
 * Server-side steps that turn the round's mean update Δ into the next global model.
 * FedAvg / FedProx: x ← x + Δ. FedAdam / FedYogi: Reddi et al. 2021, "Adaptive Federated
 * Optimization", Algorithm 2 (no bias correction, as in the paper):
 *   m ← β₁ m + (1 − β₁) Δ
 *   Adam: v ← β₂ v + (1 − β₂) Δ²        Yogi: v ← v − (1 − β₂) Δ² sign(v − Δ²)
 *   x ← x + η m / (√v + τ)
 * with m₀ = 0 and v₀ = τ² (the paper's initialisation).
 */

export type ServerStrategyName = "fedavg" | "fedprox" | "fedadam" | "fedyogi";

export interface AdaptiveSettings {
  readonly serverLearningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
}

/** The optimiser's state: m and v for the adaptive ones (persisted with the round). */
export interface OptimizerState {
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export function newOptimizerState(parameters: number, tau: number): OptimizerState {
  return { m: new Float32Array(parameters), v: new Float32Array(parameters).fill(tau * tau) };
}

export function isAdaptive(strategy: string): strategy is "fedadam" | "fedyogi" {
  return strategy === "fedadam" || strategy === "fedyogi";
}

/** Applies the mean update to the global model in place (and updates m, v for adaptive ones). */
export function applyServerStep(
  strategy: ServerStrategyName,
  global: Float32Array,
  meanUpdate: Float32Array,
  settings: AdaptiveSettings,
  state: OptimizerState | undefined,
): void {
  if (meanUpdate.length !== global.length) throw new RangeError(`mean update has ${meanUpdate.length} values, the model ${global.length}`);
  if (!isAdaptive(strategy)) {
    for (let i = 0; i < global.length; i++) global[i] = (global[i] as number) + (meanUpdate[i] as number);
    return;
  }
  if (!state) throw new Error(`${strategy} needs its optimiser state`);
  const { m, v } = state;
  const { serverLearningRate: eta, beta1, beta2, tau } = settings;
  const yogi = strategy === "fedyogi";
  for (let i = 0; i < global.length; i++) {
    const delta = meanUpdate[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * delta;
    const square = delta * delta;
    const vOld = v[i] as number;
    const vi = yogi ? vOld - (1 - beta2) * square * Math.sign(vOld - square) : beta2 * vOld + (1 - beta2) * square;
    m[i] = mi;
    v[i] = vi;
    global[i] = (global[i] as number) + (eta * mi) / (Math.sqrt(vi) + tau);
  }
}
