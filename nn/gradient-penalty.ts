/**
 * WGAN-GP gradient penalty (Gulrajani et al. 2017, eq. 3) with its double backward, for critics
 * made of Linear (+ fused LeakyReLU/ReLU) [+ Dropout] blocks and a final Linear to 1 output —
 * exactly CTGAN's PacGAN discriminator, whose pac rows are one packed input row (a view).
 *
 * x̂ = α real + (1 − α) fake, one α ~ U(0,1) per packed row. For one row the critic is
 *   h_l = a(z_l) ⊙ M_l, z_l = h_{l−1} W_lᵀ + b_l, D = h_L w_oᵀ + b_o,
 * and its input gradient runs the chain backwards with c_l = a'(z_l) ⊙ M_l (piecewise constant):
 *   g_L = w_o,  δ_l = g_l ⊙ c_l,  g_{l−1} = δ_l W_l,  G = g_0 = ∂D/∂x̂.
 * P = λ/N Σ_n (‖G_n‖ − 1)². G is linear in each W given the (fixed) masks and slopes, so the
 * derivative of c_l is zero almost everywhere and biases get no gradient. Reverse mode through
 * the chain, from Ḡ = ∂P/∂G = λ/N · 2(‖G‖ − 1) G/‖G‖:
 *   ḡ_0 = Ḡ;  dW_l += δ_lᵀ ḡ_{l−1};  δ̄_l = ḡ_{l−1} W_lᵀ;  ḡ_l = δ̄_l ⊙ c_l;  dw_o += Σ_n ḡ_L[n].
 */
import type { DevicePointer } from "../kernels/index.js";
import { DropoutLayer } from "./dropout.js";
import { NnError } from "./errors.js";
import type { Layer } from "./layer.js";
import { LinearLayer } from "./linear.js";
import { BatchBuffers } from "./buffers.js";
import type { Sequential } from "./sequential.js";
import { streamSeed } from "./streams.js";
import type { Tensor } from "./tensor.js";

export interface GradientPenaltyOptions {
  /** λ of the paper (CTGAN: 10). */
  lambda?: number;
}

interface CriticBlock {
  linear: LinearLayer;
  /** LeakyReLU slope of the block (ReLU: 0, identity: 1). */
  slope: number;
  dropout: DropoutLayer | undefined;
}

/** The critic's hidden blocks and output layer, or an NnError naming what does not fit. */
function criticStructure(layers: readonly Layer[]): { blocks: CriticBlock[]; output: LinearLayer } {
  const blocks: CriticBlock[] = [];
  let i = 0;
  while (i < layers.length - 1) {
    const linear = layers[i];
    if (!(linear instanceof LinearLayer))
      throw new NnError(`gradient penalty: layer ${i} is ${linear?.spec.kind}; the critic must be Linear(+LeakyReLU/ReLU) [+Dropout] blocks then Linear(1)`);
    const slope = linear.act === 2 ? linear.slope : linear.act === 1 ? 0 : linear.act === 0 ? 1 : Number.NaN;
    if (Number.isNaN(slope)) throw new NnError(`gradient penalty: layer ${i} uses tanh; only LeakyReLU, ReLU or no activation are supported`);
    const next = layers[i + 1];
    const dropout = next instanceof DropoutLayer ? next : undefined;
    blocks.push({ linear, slope, dropout });
    i += dropout ? 2 : 1;
  }
  const output = layers[layers.length - 1];
  if (!(output instanceof LinearLayer) || output.outWidth !== 1 || output.act !== 0)
    throw new NnError("gradient penalty: the critic's last layer must be a Linear with 1 output and no activation");
  return { blocks, output };
}

export function gradientPenalty(model: Sequential, real: Tensor, fake: Tensor, options: GradientPenaltyOptions = {}): Tensor {
  const lambda = options.lambda ?? 10;
  if (real.rows !== fake.rows || real.cols !== fake.cols || real.cols !== model.inWidth)
    throw new NnError(`gradient penalty: real ${real.rows}×${real.cols} and fake ${fake.rows}×${fake.cols} must both be packed rows × ${model.inWidth}`);
  const { blocks, output } = criticStructure(model.layers);
  const device = model.device;
  const ops = device.ops;
  const rows = real.rows;
  const scratch = penaltyScratch(model);
  const mixed = scratch.get("mixed", rows, model.inWidth);
  ops.interpolateRows(rows, model.inWidth, real.pointer, fake.pointer, streamSeed(model.seed, 1_000_000), model.penaltyCounter, mixed.pointer);
  model.forward(mixed, { training: true });

  // First backward (the input gradient), keeping δ_l for the reverse pass.
  const deltas: Tensor[] = [];
  let g = scratch.get(`g${blocks.length}`, rows, output.inWidth);
  ops.broadcastRows(rows, output.inWidth, output.bound().weight, g.pointer);
  for (let l = blocks.length - 1; l >= 0; l -= 1) {
    const block = blocks[l] as CriticBlock;
    const delta = scratch.get(`delta${l}`, rows, block.linear.outWidth);
    ops.leakyMaskMul(delta.size, block.linear.lastForward().output.pointer, maskOf(block), block.slope, g.pointer, delta.pointer);
    deltas[l] = delta;
    const previous = scratch.get(`g${l}`, rows, block.linear.inWidth);
    ops.gemm(false, false, rows, block.linear.inWidth, block.linear.outWidth, 1, delta.pointer, block.linear.bound().weight, 0, previous.pointer);
    g = previous;
  }
  const penalty = scratch.get("penalty", 1, 1);
  let gBar = scratch.get("gBar0", rows, model.inWidth);
  ops.gpNorm(rows, model.inWidth, g.pointer, lambda, penalty.pointer, gBar.pointer);

  // Reverse pass through the chain: the double backward.
  for (let l = 0; l < blocks.length; l += 1) {
    const block = blocks[l] as CriticBlock;
    const p = block.linear.bound();
    const delta = deltas[l] as Tensor;
    ops.gemm(true, false, block.linear.outWidth, block.linear.inWidth, rows, 1, delta.pointer, gBar.pointer, 1, p.weightGrad);
    const deltaBar = scratch.get(`deltaBar${l}`, rows, block.linear.outWidth);
    ops.gemm(false, true, rows, block.linear.outWidth, block.linear.inWidth, 1, gBar.pointer, p.weight, 0, deltaBar.pointer);
    const next = scratch.get(`gBar${l + 1}`, rows, block.linear.outWidth);
    ops.leakyMaskMul(next.size, block.linear.lastForward().output.pointer, maskOf(block), block.slope, deltaBar.pointer, next.pointer);
    gBar = next;
  }
  ops.columnSum(rows, output.inWidth, gBar.pointer, output.bound().weightGrad);
  return penalty;
}

function maskOf(block: CriticBlock): DevicePointer | null {
  return block.dropout ? block.dropout.lastMask().pointer : null;
}

const scratchByModel = new WeakMap<Sequential, BatchBuffers>();
function penaltyScratch(model: Sequential): BatchBuffers {
  let buffers = scratchByModel.get(model);
  if (!buffers) {
    buffers = new BatchBuffers(model.device);
    scratchByModel.set(model, buffers);
  }
  return buffers;
}

/** Frees the penalty's scratch buffers of `model` (Sequential.dispose). */
export function disposePenaltyScratch(model: Sequential): void {
  scratchByModel.get(model)?.dispose();
  scratchByModel.delete(model);
}
