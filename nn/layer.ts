/**
 * The layer contract of the engine and the serializable layer specs a Sequential is built from.
 * A layer owns its output and gradient buffers (sized for the last batch), caches what its
 * backward needs during forward, and accumulates parameter gradients into the model's arena.
 */
import type { DevicePointer } from "../kernels/index.js";
import type { Tensor } from "./tensor.js";

export type ActivationName = "relu" | "leakyRelu" | "tanh";

/** Layer specs (JSON-serializable: saved with a model, read by the ONNX exporter). */
export type LayerSpec =
  | { kind: "linear"; out: number; activation?: ActivationName; slope?: number }
  | { kind: "batchNorm"; momentum?: number; eps?: number }
  | { kind: "relu" }
  | { kind: "leakyRelu"; slope?: number }
  | { kind: "tanh" }
  | { kind: "dropout"; p: number }
  /** CTGAN's Residual block: Linear(out) → BatchNorm1d → ReLU, output concatenated with the input. */
  | { kind: "residual"; out: number };

/** Where a layer's slice of the model arenas lies (float offsets). */
export interface ArenaSlices {
  params: DevicePointer;
  grads: DevicePointer;
  /** Non-trained state saved with the weights (BatchNorm running statistics). */
  state: DevicePointer;
}

export interface Layer {
  readonly spec: LayerSpec;
  readonly inWidth: number;
  readonly outWidth: number;
  /** Trained floats (weights, biases, γ, β) and saved non-trained floats (running stats). */
  readonly parameterCount: number;
  readonly stateCount: number;
  bind(slices: ArenaSlices): void;
  /** Seeded initialisation of this layer's parameters and state (draws from the model's stream). */
  initialize(seed: bigint, counter: DevicePointer): void;
  forward(x: Tensor, training: boolean): Tensor;
  /**
   * Gradient w.r.t. the input: rows × inWidth, of which the leading `inputGradColumns` columns
   * are owed (the rest may hold anything; 0: none, null returned). Parameter gradients are
   * accumulated unless `paramGrads` is false (then they are left as they were: an input
   * gradient only, as through a critic the generator's step does not update). Of dy, the
   * leading outputGradColumns(inputGradColumns) columns are read.
   */
  backward(dy: Tensor, inputGradColumns: number, paramGrads?: boolean): Tensor | null;
  /**
   * How many leading columns of the output gradient backward reads when `inputGradColumns`
   * leading input-gradient columns are wanted (absent: all of outWidth). A residual block needs
   * its own output's and only the wanted columns of the input it passes through.
   */
  outputGradColumns?(inputGradColumns: number): number;
  /** Frees the layer's device buffers (the arenas belong to the model). */
  dispose(): void;
}
