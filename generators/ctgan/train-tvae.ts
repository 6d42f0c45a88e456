/**
 * TVAE training (Xu et al. 2019, §5 "TVAE"), on the nn/ engine, with the same row encoding as
 * CTGAN:
 *
 * - encoder: x → Linear 128 → ReLU → Linear 128 → ReLU → Linear 2·128 = [μ | log σ²_z];
 * - reparameterisation z = μ + ε·exp(½ log σ²_z), ε ~ N(0, I₁₂₈);
 * - decoder: z → Linear 128 → ReLU → Linear 128 → ReLU → Linear(width) = r;
 * - per-row loss (the paper's ELBO with a learned output σ_j per α output):
 *     α outputs:     (x_j − tanh r_j)² / (2σ_j²) + log σ_j
 *     one-hot spans: cross-entropy of softmax(r_span) against the row's category
 *   L = 2 · Σ_rows reconstruction / batch + KL(q(z|x) ‖ N(0, I)) / batch   (loss factor 2);
 *   σ_j is clamped to [0.01, 1] after each step;
 * - Adam (decoupled weight decay 1e-5, lr 1e-3) on both networks and on σ.
 *
 * The networks run on the engine's device; the loss, its gradient and the reparameterisation are
 * computed on the host over the batch (rows × width floats, a small copy per step).
 */
import { philoxNormal, philoxUniform } from "../../kernels/index.js";
import { AdamW, Device, Sequential } from "../../nn/index.js";
import type { TableTransform } from "./data-transformer.js";
import type { NetworkLayerSpec } from "./neural-model.js";
import type { NeuralTrainOptions, TrainedNetwork } from "./train-ctgan.js";

export const TVAE_LATENT_WIDTH = 128;
const HIDDEN = [128, 128];
const LOSS_FACTOR = 2;
const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-5 };
const SIGMA_INITIAL = 0.1;
const SIGMA_MIN = 0.01;
const SIGMA_MAX = 1;

export interface TrainedTvae extends TrainedNetwork {
  outputSigmas: number[];
}

function mlp(out: number): NetworkLayerSpec[] {
  return [...HIDDEN.flatMap((h): NetworkLayerSpec[] => [{ kind: "linear", out: h }, { kind: "relu" }]), { kind: "linear", out }];
}

export function tvaeDecoderLayers(width: number): NetworkLayerSpec[] {
  return mlp(width);
}

/** Host Adam for the σ vector (Kingma & Ba 2015, with decoupled weight decay). */
class VectorAdam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(size: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  step(values: Float64Array, grads: Float64Array): void {
    this.t++;
    const { lr, beta1, beta2, eps, weightDecay } = ADAM;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (let i = 0; i < values.length; i++) {
      this.m[i] = beta1 * this.m[i]! + (1 - beta1) * grads[i]!;
      this.v[i] = beta2 * this.v[i]! + (1 - beta2) * grads[i]! ** 2;
      values[i] = values[i]! * (1 - lr * weightDecay) - (lr * (this.m[i]! / c1)) / (Math.sqrt(this.v[i]! / c2) + eps);
    }
  }
}

export function trainTvae(transform: TableTransform, data: Float32Array, options: NeuralTrainOptions): TrainedTvae {
  const width = transform.width;
  const rows = data.length / width;
  const batch = options.batchSize;
  const latent = TVAE_LATENT_WIDTH;
  const mix = (salt: bigint) => BigInt.asUintN(64, options.seed * 0x9e3779b97f4a7c15n + salt);
  const device = Device.open();
  const encoder = new Sequential(device, width, mlp(2 * latent), { seed: mix(11n) });
  const decoderSpecs = tvaeDecoderLayers(width);
  const decoder = new Sequential(device, latent, decoderSpecs, { seed: mix(12n) });
  const encoderOptimizer = new AdamW(encoder, ADAM);
  const decoderOptimizer = new AdamW(decoder, ADAM);
  const sigma = new Float64Array(width).fill(SIGMA_INITIAL);
  const sigmaGrad = new Float64Array(width);
  const sigmaOptimizer = new VectorAdam(width);
  const tanhSpans = transform.spans.filter((s) => s.activation === "tanh");
  const softmaxSpans = transform.spans.filter((s) => s.activation === "softmax");

  const x = device.zeros(batch, width);
  const zTensor = device.zeros(batch, latent);
  const reconGrad = device.zeros(batch, width);
  const encoderGrad = device.zeros(batch, 2 * latent);
  const xHost = new Float32Array(batch * width);
  const eps = new Float64Array(batch * latent);
  const zHost = new Float32Array(batch * latent);
  const dRecon = new Float32Array(batch * width);
  const dEncoder = new Float32Array(batch * 2 * latent);
  const stepsPerEpoch = Math.max(1, Math.floor(rows / batch));
  const losses: { generator: number }[] = [];
  const order = new Int32Array(rows);
  const shuffle = new Float64Array(rows);
  let noiseCounter = 0n;

  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      // A seeded shuffle per epoch (Fisher–Yates on the epoch's uniforms); full batches only.
      for (let i = 0; i < rows; i++) order[i] = i;
      philoxUniform(mix(13n), BigInt(epoch) * BigInt(rows), shuffle);
      for (let i = rows - 1; i > 0; i--) {
        const j = Math.min(i, Math.floor(shuffle[i]! * (i + 1)));
        const swap = order[i]!;
        order[i] = order[j]!;
        order[j] = swap;
      }
      let lossSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        options.signal?.throwIfAborted();
        for (let b = 0; b < batch; b++) xHost.set(data.subarray(order[step * batch + b]! * width, (order[step * batch + b]! + 1) * width), b * width);
        x.upload(xHost);
        encoder.zeroGrad();
        decoder.zeroGrad();
        const encoded = encoder.forward(x, { training: true }).download();
        philoxNormal(mix(14n), noiseCounter, eps);
        noiseCounter += BigInt(eps.length);
        let kl = 0;
        for (let b = 0; b < batch; b++) {
          for (let k = 0; k < latent; k++) {
            const mu = encoded[b * 2 * latent + k]!;
            const logVar = encoded[b * 2 * latent + latent + k]!;
            const std = Math.exp(0.5 * logVar);
            zHost[b * latent + k] = mu + eps[b * latent + k]! * std;
            kl += -0.5 * (1 + logVar - mu * mu - std * std);
          }
        }
        zTensor.upload(zHost);
        const recon = decoder.forward(zTensor, { training: true }).download();
        const reconstruction = reconstructionLoss(recon, xHost, batch, width, sigma, tanhSpans, softmaxSpans, dRecon, sigmaGrad, LOSS_FACTOR / batch);
        lossSum += (LOSS_FACTOR * reconstruction + kl) / batch;
        reconGrad.upload(dRecon);
        const dz = decoder.backward(reconGrad, { needInputGrad: true })!.download();
        for (let b = 0; b < batch; b++) {
          for (let k = 0; k < latent; k++) {
            const mu = encoded[b * 2 * latent + k]!;
            const logVar = encoded[b * 2 * latent + latent + k]!;
            const std = Math.exp(0.5 * logVar);
            const g = dz[b * latent + k]!;
            dEncoder[b * 2 * latent + k] = g + mu / batch;
            dEncoder[b * 2 * latent + latent + k] = g * eps[b * latent + k]! * 0.5 * std + (0.5 * (std * std - 1)) / batch;
          }
        }
        encoderGrad.upload(dEncoder);
        encoder.backward(encoderGrad, { needInputGrad: false });
        encoderOptimizer.step();
        decoderOptimizer.step();
        sigmaOptimizer.step(sigma, sigmaGrad);
        for (let j = 0; j < width; j++) sigma[j] = Math.min(SIGMA_MAX, Math.max(SIGMA_MIN, sigma[j]!));
      }
      const epochLosses = { generator: lossSum / stepsPerEpoch };
      losses.push(epochLosses);
      options.onEpoch?.(epoch + 1, epochLosses);
    }
    const outputSigmas = Array.from({ length: width }, () => 0);
    for (const span of tanhSpans) outputSigmas[span.start] = sigma[span.start]!;
    return {
      network: {
        noiseWidth: latent,
        condWidth: 0,
        outWidth: width,
        layers: decoderSpecs,
        parameterCount: decoder.parameterCount,
        stateCount: decoder.state.cols,
      },
      weights: decoder.saveWeights(),
      losses,
      device: device.kind,
      outputSigmas,
    };
  } finally {
    // Engine tensors are not garbage-collected: free every one this training made.
    for (const owner of [encoder, decoder, encoderOptimizer, decoderOptimizer]) owner.dispose();
    for (const tensor of [x, zTensor, reconGrad, encoderGrad]) tensor.dispose();
  }
}

/**
 * Σ_rows of the reconstruction terms; writes dL/dr (scaled by `scale`) into dRecon and dL/dσ
 * (scaled) into sigmaGrad. Exported for the gradient check.
 */
export function reconstructionLoss(
  recon: Float32Array,
  x: Float32Array,
  rows: number,
  width: number,
  sigma: Float64Array,
  tanhSpans: readonly { start: number }[],
  softmaxSpans: readonly { start: number; width: number }[],
  dRecon: Float32Array,
  sigmaGrad: Float64Array,
  scale: number,
): number {
  dRecon.fill(0);
  sigmaGrad.fill(0);
  let loss = 0;
  for (const span of tanhSpans) {
    const j = span.start;
    const s = sigma[j]!;
    for (let b = 0; b < rows; b++) {
      const t = Math.tanh(recon[b * width + j]!);
      const e = x[b * width + j]! - t;
      loss += (e * e) / (2 * s * s) + Math.log(s);
      dRecon[b * width + j] = ((scale * -e) / (s * s)) * (1 - t * t);
      sigmaGrad[j]! += scale * ((-e * e) / (s * s * s) + 1 / s);
    }
  }
  for (const span of softmaxSpans) {
    for (let b = 0; b < rows; b++) {
      const at = b * width + span.start;
      let max = Number.NEGATIVE_INFINITY;
      let target = 0;
      for (let k = 0; k < span.width; k++) {
        if (recon[at + k]! > max) max = recon[at + k]!;
        if (x[at + k]! > x[at + target]!) target = k;
      }
      let sum = 0;
      for (let k = 0; k < span.width; k++) sum += Math.exp(recon[at + k]! - max);
      loss += -(recon[at + target]! - max - Math.log(sum));
      for (let k = 0; k < span.width; k++) dRecon[at + k] = scale * (Math.exp(recon[at + k]! - max) / sum - (k === target ? 1 : 0));
    }
  }
  return loss;
}
