/**
 * CTGAN training (Xu et al. 2019, "Modeling Tabular Data using Conditional GAN", §4 and its
 * appendix), on the nn/ engine:
 *
 * - generator: input [z ~ N(0, I₁₂₈) | conditional vector] → Residual(256) → Residual(256) →
 *   Linear(width); outputs activated per span: tanh for α, Gumbel-softmax (τ = 0.2) for mode
 *   indicators and categories;
 * - discriminator (critic), PacGAN with pac = 10 (Lin et al. 2018): 10 rows [row | cond] packed
 *   into one input → Linear 256 → LeakyReLU 0.2 → Dropout 0.5, twice → Linear 1;
 * - WGAN-GP (Gulrajani et al. 2017): critic loss −(E[D(real)] − E[D(fake)]) + 10·(‖∇D(x̂)‖ − 1)²;
 *   generator loss −E[D(fake)] + the cross-entropy between the generator's logits on the
 *   conditioned column and the condition (§4.3), averaged over the batch;
 * - training-by-sampling (`conditional-vector.ts`): each batch's conditions by log-frequency, the
 *   real rows drawn with the same conditions;
 * - Adam with decoupled weight decay, lr 2e-4, betas (0.5, 0.9), wd 1e-6, for both networks;
 *   `criticSteps` critic steps per generator step (WGAN-GP's n_critic, Gulrajani et al. 2017,
 *   Algorithm 1: 5; the reference CTGAN's default: 1), each on a fresh batch; ⌊rows / batch⌋
 *   generator steps per epoch;
 * - with one critic step, the generator step reuses that step's fake batch (its z, conditions
 *   and Gumbel draws, as the common GAN loop does) instead of drawing a new one: one generator
 *   forward per step instead of two, 15% of the step's arithmetic, and on Adult no loss of
 *   fidelity (generators/README, "CTGAN on Adult: measured"). After several critic steps (small
 *   tables) the generator step draws its own batch: the forward is a small part of such a step,
 *   and reuse there scored a little lower on adult-2k.
 *
 * All randomness is seeded: the engine's Philox streams (initialisation, noise, dropout, Gumbel,
 * penalty) and the conditional sampler's, so a seed on one device gives the same weights.
 */
import {
  AdamW,
  concatColumns,
  Device,
  gatherRows,
  meanOutput,
  oneHot,
  RandomStream,
  Sequential,
  SpanActivation,
  sliceColumns,
  spanCrossEntropy,
  type Tensor,
  uploadSpans,
} from "../../nn/index.js";
import { ConditionalVectorSampler } from "./conditional-vector.js";
import type { TableTransform } from "./data-transformer.js";
import type { NetworkLayerSpec, NeuralNetworkDescription } from "./neural-model.js";

export const CTGAN_EMBEDDING_WIDTH = 128;
export const CTGAN_PAC = 10;
const GENERATOR_HIDDEN = [256, 256];
const CRITIC_HIDDEN = [256, 256];
const ADAM = { lr: 2e-4, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6 };
const PENALTY_LAMBDA = 10;
const GUMBEL_TAU = 0.2;

export interface NeuralTrainOptions {
  epochs: number;
  batchSize: number;
  seed: bigint;
  /** Critic steps per generator step (default 1). */
  criticSteps?: number;
  /** Called after each epoch with its mean losses. */
  onEpoch?: (epoch: number, losses: { generator: number; discriminator?: number }) => void;
  signal?: AbortSignal;
}

export interface TrainedNetwork {
  network: NeuralNetworkDescription;
  weights: Float32Array;
  losses: { generator: number; discriminator?: number }[];
  device: string;
}

export function ctganGeneratorLayers(width: number): NetworkLayerSpec[] {
  return [...GENERATOR_HIDDEN.map((out): NetworkLayerSpec => ({ kind: "residual", out })), { kind: "linear", out: width }];
}

function criticLayers(): NetworkLayerSpec[] {
  const layers: NetworkLayerSpec[] = [];
  for (const out of CRITIC_HIDDEN) layers.push({ kind: "linear", out }, { kind: "leakyRelu", slope: 0.2 }, { kind: "dropout", p: 0.5 });
  layers.push({ kind: "linear", out: 1 });
  return layers;
}

/** Seeds of the independent streams, derived from the user's seed. */
function streamSeeds(seed: bigint) {
  const mix = (salt: bigint) => BigInt.asUintN(64, seed * 0x9e3779b97f4a7c15n + salt);
  return { generator: mix(1n), critic: mix(2n), noise: mix(3n), conditions: mix(4n), gumbel: mix(5n) };
}

/**
 * Trains CTGAN on an encoded table (rows × transform.width, row-major) with each row's one-hot
 * position per discrete column; returns the generator's description and weights.
 */
export function trainCtgan(transform: TableTransform, data: Float32Array, discretePositions: Int32Array[], options: NeuralTrainOptions): TrainedNetwork {
  const width = transform.width;
  const rows = data.length / width;
  const batch = options.batchSize;
  const seeds = streamSeeds(options.seed);
  const device = Device.open();
  const discreteCounts = discretePositions.map((positions, j) => ({ positions, categoryCount: discreteWidth(transform, j) }));
  const conditions = new ConditionalVectorSampler(discreteCounts, rows, seeds.conditions);
  const condWidth = conditions.condWidth;
  const noiseWidth = CTGAN_EMBEDDING_WIDTH;

  const generatorSpecs = ctganGeneratorLayers(width);
  const generator = new Sequential(device, noiseWidth + condWidth, generatorSpecs, { seed: seeds.generator });
  const critic = new Sequential(device, CTGAN_PAC * (width + condWidth), criticLayers(), { seed: seeds.critic });
  const generatorOptimizer = new AdamW(generator, ADAM);
  const criticOptimizer = new AdamW(critic, ADAM);
  const activation = new SpanActivation(
    device,
    width,
    transform.spans.map((s) => ({ start: s.start, length: s.width, activation: s.activation === "tanh" ? "tanh" : "gumbelSoftmax" })),
    { tau: GUMBEL_TAU, seed: seeds.gumbel },
  );
  // The conditioned spans: the discrete columns' one-hots in the output, for the generator's cross-entropy.
  const discreteSpans = transform.spans.filter((_, s) => isDiscreteSpan(transform, s));
  const conditionSpanTable =
    discreteSpans.length > 0
      ? uploadSpans(
          device,
          discreteSpans.map((s) => ({ start: s.start, length: s.width, activation: "softmax" })),
          width,
        )
      : null;

  const table = device.fromFloat32(data, rows, width);
  const noise = new RandomStream(device, seeds.noise);
  const z = device.zeros(batch, noiseWidth);
  const cond = device.zeros(batch, condWidth);
  const condIndex = device.zeros(1, batch, "i32");
  const rowIndex = device.zeros(1, batch, "i32");
  const targets = device.zeros(batch, Math.max(1, discreteSpans.length), "i32");
  const generatorInput = device.zeros(batch, noiseWidth + condWidth);
  const real = device.zeros(batch, width);
  const realPacked = device.zeros(batch, width + condWidth);
  const fakePacked = device.zeros(batch, width + condWidth);
  const criticGrad = device.zeros(batch / CTGAN_PAC, 1);
  const fakeGrad = device.zeros(batch, width);
  const generatorLoss = device.zeros(1, 1);
  const criticLoss = device.zeros(1, 1);
  const realLoss = device.zeros(1, 1);
  const crossEntropyLoss = device.zeros(1, 1);
  const packedRows = batch / CTGAN_PAC;
  const packedWidth = CTGAN_PAC * (width + condWidth);
  const stepsPerEpoch = Math.max(1, Math.floor(rows / batch));
  const criticSteps = options.criticSteps ?? 1;
  if (!Number.isSafeInteger(criticSteps) || criticSteps < 1) throw new RangeError(`criticSteps must be a whole number ≥ 1, got ${criticSteps}`);
  const losses: { generator: number; discriminator: number }[] = [];

  /** Draws a batch's conditions (training-by-sampling) onto the device; returns the host batch. */
  const drawConditions = () => {
    const drawn = conditions.sampleTraining(batch);
    const flat = new Int32Array(batch);
    const perSpan = new Int32Array(batch * Math.max(1, discreteSpans.length)).fill(-1);
    for (let i = 0; i < batch; i++) {
      const column = drawn.columns[i]!;
      flat[i] = column < 0 ? -1 : conditions.offsets[column]! + drawn.categories[i]!;
      if (column >= 0) perSpan[i * discreteSpans.length + column] = drawn.categories[i]!;
    }
    condIndex.upload(flat);
    if (condWidth > 0) oneHot(condIndex, cond);
    targets.upload(perSpan);
    rowIndex.upload(drawn.rowIndices);
  };

  const generate = (): Tensor => {
    noise.normal(z);
    const input = condWidth > 0 ? concatColumns([z, cond], generatorInput) : z;
    const raw = generator.forward(input, { training: true });
    return raw;
  };

  /** The generator's output for the last critic step's batch (the generator step reuses it). */
  let fakeRaw: Tensor | undefined;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      let generatorSum = 0;
      let criticSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        options.signal?.throwIfAborted();
        // Critic steps: fake rows of the batch's conditions against real rows of the same conditions.
        for (let c = 0; c < criticSteps; c++) {
          drawConditions();
          fakeRaw = generate();
          const fakeActivated = activation.forward(fakeRaw);
          concatColumns(condWidth > 0 ? [fakeActivated, cond] : [fakeActivated], fakePacked);
          gatherRows(table, rowIndex, real);
          concatColumns(condWidth > 0 ? [real, cond] : [real], realPacked);
          critic.zeroGrad();
          const fakeView = fakePacked.view(packedRows, packedWidth);
          const realView = realPacked.view(packedRows, packedWidth);
          const fakeScore = critic.forward(fakeView, { training: true });
          meanOutput(device, fakeScore, 1 / packedRows, criticGrad, criticLoss);
          critic.backward(criticGrad, { needInputGrad: false });
          const realScore = critic.forward(realView, { training: true });
          meanOutput(device, realScore, -1 / packedRows, criticGrad, realLoss);
          critic.backward(criticGrad, { needInputGrad: false });
          critic.gradientPenalty(realView, fakeView, { lambda: PENALTY_LAMBDA });
          criticOptimizer.step();
          criticSum += (criticLoss.item() + realLoss.item()) / criticSteps;
        }

        // Generator step: −E[D(fake)] + cross-entropy of the conditioned spans.
        // After one critic step it reuses that step's fake batch (z, conditions, Gumbel draws): the
        // generator has not changed since, so regenerating would repeat the same forward; its
        // activations, the activated rows in fakePacked and the targets are all still that
        // batch's. After several (small tables) it draws its own, as WGAN-GP's Algorithm 1 does.
        let raw = fakeRaw as Tensor;
        if (criticSteps > 1) {
          drawConditions();
          raw = generate();
          const activated = activation.forward(raw);
          concatColumns(condWidth > 0 ? [activated, cond] : [activated], fakePacked);
        }
        generator.zeroGrad();
        const score = critic.forward(fakePacked.view(packedRows, packedWidth), { training: true });
        meanOutput(device, score, -1 / packedRows, criticGrad, generatorLoss);
        // The critic is not updated here: its input gradient only, no weight gradients.
        const inputGrad = critic.backward(criticGrad, { needInputGrad: true, paramGrads: false })!;
        sliceColumns(inputGrad.view(batch, width + condWidth), 0, fakeGrad);
        const rawGrad = activation.backward(fakeGrad);
        if (conditionSpanTable !== null) spanCrossEntropy(raw, conditionSpanTable, targets, 1 / batch, rawGrad, crossEntropyLoss);
        generator.backward(rawGrad, { needInputGrad: false });
        generatorOptimizer.step();
        generatorSum += generatorLoss.item() + (conditionSpanTable !== null ? crossEntropyLoss.item() : 0);
      }
      const epochLosses = { generator: generatorSum / stepsPerEpoch, discriminator: criticSum / stepsPerEpoch };
      losses.push(epochLosses);
      options.onEpoch?.(epoch + 1, epochLosses);
    }
    const weights = generator.saveWeights();
    return {
      network: { noiseWidth, condWidth, outWidth: width, layers: generatorSpecs, parameterCount: generator.parameterCount, stateCount: generator.state.cols },
      weights,
      losses,
      device: device.kind,
    };
  } finally {
    // Engine tensors are not garbage-collected: free every one this training made.
    for (const owner of [generator, critic, generatorOptimizer, criticOptimizer, activation, noise]) owner.dispose();
    for (const tensor of [table, z, cond, condIndex, rowIndex, targets, generatorInput, real, realPacked, fakePacked, criticGrad, fakeGrad]) tensor.dispose();
    for (const tensor of [generatorLoss, criticLoss, realLoss, crossEntropyLoss]) tensor.dispose();
    conditionSpanTable?.dispose();
  }
}
/** One-hot width of the j-th discrete column of the transform. */
function discreteWidth(transform: TableTransform, j: number): number {
  const discrete = transform.columns.filter((c) => c.kind === "discrete");
  return (discrete[j] as { codes: number[] }).codes.length;
}

/** Whether span s is a discrete column's one-hot (not a mode indicator or null one-hot). */
function isDiscreteSpan(transform: TableTransform, s: number): boolean {
  let index = 0;
  for (const column of transform.columns) {
    const count = column.kind === "discrete" ? 1 : column.hasNulls ? 3 : 2;
    if (s < index + count) return column.kind === "discrete";
    index += count;
  }
  return false;
}
