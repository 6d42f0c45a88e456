/**
 * One CTGAN-shaped WGAN-GP training step on the engine, for benchmarks and the GPU check (the
 * trainer itself lives in generators/): critic step (generator forward, output spans, critic on
 * real and fake packs, gradient penalty, AdamW) then generator step on the same fake batch
 * (critic forward and backward to its input, span backward, conditional cross-entropy, AdamW). Also counts the step's GEMM FLOPs
 * (2·rows·in·out per product), so a timing becomes an achieved GFLOP/s.
 */
import { AdamW } from "./adamw.js";
import type { Device } from "./device.js";
import type { LayerSpec } from "./layer.js";
import { meanOutput, spanCrossEntropy } from "./losses.js";
import { type OutputSpan, SpanActivation, uploadSpans } from "./output-spans.js";
import { Sequential } from "./sequential.js";
import type { Tensor } from "./tensor.js";
import { concatColumns, oneHot, RandomStream, sliceColumns } from "./tensor-ops.js";

export interface GanStepShape {
  batch: number;
  pac: number;
  noiseWidth: number;
  /** Width of the encoded row (continuous α + modes + one-hots). */
  dataWidth: number;
  /** Width of the conditional vector (all categories of the discrete columns). */
  condWidth: number;
  generatorDims: number[];
  criticDims: number[];
}

/** CTGAN's reference settings (batch 500, pac 10, embedding 128, G 256+256 residual, D 256→256) on Adult-like widths. */
export const ctganAdultShape: GanStepShape = {
  batch: 500,
  pac: 10,
  noiseWidth: 128,
  dataWidth: 170, // 6 continuous × (1 + 10 modes) + 104 category one-hots
  condWidth: 104,
  generatorDims: [256, 256],
  criticDims: [256, 256],
};

export interface GanStepWorkload {
  step(): void;
  flopsPerStep: number;
  generator: Sequential;
  critic: Sequential;
  /** Last critic loss tensor (1×1, device). */
  criticLoss: Tensor;
}

function outputSpans(shape: GanStepShape): OutputSpan[] {
  // Alternate tanh scalars and softmax groups of 10 modes, then the one-hot categories in groups of ~13.
  const spans: OutputSpan[] = [];
  let start = 0;
  const continuous = Math.floor((shape.dataWidth - shape.condWidth) / 11);
  for (let c = 0; c < continuous; c += 1) {
    spans.push({ start, length: 1, activation: "tanh" }, { start: start + 1, length: 10, activation: "gumbelSoftmax" });
    start += 11;
  }
  while (start < shape.dataWidth) {
    const length = Math.min(13, shape.dataWidth - start);
    spans.push({ start, length, activation: "gumbelSoftmax" });
    start += length;
  }
  return spans;
}

export function createGanStepWorkload(device: Device, shape: GanStepShape, seed = 1): GanStepWorkload {
  const { batch, pac, noiseWidth, dataWidth, condWidth } = shape;
  const packs = batch / pac;
  const genSpecs: LayerSpec[] = [...shape.generatorDims.map((out) => ({ kind: "residual", out }) as LayerSpec), { kind: "linear", out: dataWidth }];
  const criticSpecs: LayerSpec[] = [
    ...shape.criticDims.flatMap((out): LayerSpec[] => [
      { kind: "linear", out },
      { kind: "leakyRelu", slope: 0.2 },
      { kind: "dropout", p: 0.5 },
    ]),
    { kind: "linear", out: 1 },
  ];
  const generator = new Sequential(device, noiseWidth + condWidth, genSpecs, { seed });
  const critic = new Sequential(device, pac * (dataWidth + condWidth), criticSpecs, { seed: seed + 1 });
  const adam = { lr: 2e-4, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6 };
  const optG = new AdamW(generator, adam);
  const optD = new AdamW(critic, adam);
  const spans = outputSpans(shape);
  const activation = new SpanActivation(device, dataWidth, spans, { tau: 0.2, seed: seed + 2 });
  const discrete = spans.filter((s) => s.activation === "gumbelSoftmax").slice(-8);
  const spanTable = uploadSpans(device, discrete, dataWidth);
  const noise = new RandomStream(device, seed + 3);
  const z = device.zeros(batch, noiseWidth);
  const condIndex = device.fromInt32(
    Int32Array.from({ length: batch }, (_, r) => (r * 7) % condWidth),
    1,
    batch,
  );
  const cond = oneHot(condIndex, device.zeros(batch, condWidth));
  const targets = device.fromInt32(
    Int32Array.from({ length: batch * discrete.length }, (_, i) => (i % discrete.length === 0 ? i % 3 : -1)),
    batch,
    discrete.length,
  );
  const realRows = device.zeros(batch, dataWidth);
  noise.uniform(realRows);
  const realInput = concatColumns([realRows, cond]);
  const fakeInput = device.zeros(batch, dataWidth + condWidth);
  const genInput = device.zeros(batch, noiseWidth + condWidth);
  const dScore = device.zeros(packs, 1);
  const dFake = device.zeros(batch, dataWidth);
  const criticLoss = device.zeros(1, 1);
  const ceLoss = device.zeros(1, 1);

  const generate = (): Tensor => {
    noise.normal(z);
    concatColumns([z, cond], genInput);
    return generator.forward(genInput, { training: true });
  };

  const step = (): void => {
    // Critic step.
    const raw = generate();
    const fake = activation.forward(raw);
    concatColumns([fake, cond], fakeInput);
    const fakePacked = fakeInput.view(packs, pac * (dataWidth + condWidth));
    const realPacked = realInput.view(packs, pac * (dataWidth + condWidth));
    critic.zeroGrad();
    meanOutput(device, critic.forward(fakePacked), 1 / packs, dScore, criticLoss);
    critic.backward(dScore, { needInputGrad: false });
    meanOutput(device, critic.forward(realPacked), -1 / packs, dScore);
    critic.backward(dScore, { needInputGrad: false });
    critic.gradientPenalty(realPacked, fakePacked, { lambda: 10 });
    optD.step();
    // Generator step, on the critic step's fake batch (as the trainer: the generator is unchanged
    // since, so its forward is not repeated); the critic gives its input gradient only.
    generator.zeroGrad();
    meanOutput(device, critic.forward(fakePacked), -1 / packs, dScore);
    const inputGrad = critic.backward(dScore, { needInputGrad: true, paramGrads: false }) as Tensor;
    sliceColumns(inputGrad.view(batch, dataWidth + condWidth), 0, dFake);
    const rawGrad = activation.backward(dFake);
    spanCrossEntropy(raw, spanTable, targets, 1 / batch, rawGrad, ceLoss);
    generator.backward(rawGrad, { needInputGrad: false });
    optG.step();
  };

  const linearFlops = (
    rows: number,
    inWidth: number,
    dims: number[],
    outWidth: number,
    residual: boolean,
  ): { forward: number; widths: Array<[number, number]> } => {
    const widths: Array<[number, number]> = [];
    let w = inWidth;
    for (const d of dims) {
      widths.push([w, d]);
      w = residual ? w + d : d;
    }
    widths.push([w, outWidth]);
    return { forward: widths.reduce((s, [i, o]) => s + 2 * rows * i * o, 0), widths };
  };
  const g = linearFlops(batch, noiseWidth + condWidth, shape.generatorDims, dataWidth, true);
  const d = linearFlops(packs, pac * (dataWidth + condWidth), shape.criticDims, 1, false);
  // Critic step: G fwd; D fwd ×2 + dW ×2 (no dx); penalty: fwd + input-gradient chain (1 GEMM per hidden layer)
  // + reverse (2 per hidden layer). Generator step (reusing the critic step's G forward): G bwd (dW, dx except
  // the first layer); D fwd + dx (no dW: the critic is not updated there).
  const hiddenD = d.forward - 2 * packs * (d.widths[d.widths.length - 1] as [number, number])[0];
  const criticStep = g.forward + 2 * d.forward + 2 * d.forward + d.forward + hiddenD + 2 * hiddenD;
  const generatorStep = 2 * g.forward - 2 * batch * (g.widths[0] as [number, number])[0] * (g.widths[0] as [number, number])[1] + 2 * d.forward;
  return { step, flopsPerStep: criticStep + generatorStep, generator, critic, criticLoss };
}
