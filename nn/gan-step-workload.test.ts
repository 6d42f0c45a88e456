/**
 * The benchmark/GPU-check workload is a real training step: on a small CTGAN shape two steps
 * change both models' weights, keep them finite, and the FLOP count matches a hand count. The
 * same seed gives byte-identical weights whatever the CPU thread count (every GEMM element and
 * every reduction is summed in a fixed order by one thread).
 */
import { expect, test } from "vitest";
import { backendFor } from "../kernels/index.js";
import { Device } from "./device.js";
import { createGanStepWorkload, ctganAdultShape } from "./gan-step-workload.js";

test("two steps of a small CTGAN-shaped workload train both models", () => {
  const device = Device.open("cpu");
  const workload = createGanStepWorkload(
    device,
    { batch: 20, pac: 5, noiseWidth: 8, dataWidth: 30, condWidth: 7, generatorDims: [16, 16], criticDims: [12, 12] },
    3,
  );
  const g0 = workload.generator.saveWeights();
  const d0 = workload.critic.saveWeights();
  workload.step();
  workload.step();
  const g1 = workload.generator.saveWeights();
  const d1 = workload.critic.saveWeights();
  expect(g1.some((v, i) => v !== g0[i])).toBe(true);
  expect(d1.some((v, i) => v !== d0[i])).toBe(true);
  expect(g1.every(Number.isFinite) && d1.every(Number.isFinite)).toBe(true);
  expect(Number.isFinite(workload.criticLoss.item())).toBe(true);
});

test("same seed, one or two CPU threads: byte-identical weights after training steps", () => {
  const device = Device.open("cpu");
  const cpu = backendFor("cpu");
  // Wide enough that the GEMMs, random fills, BatchNorm, the bias gradients, the penalty's norms
  // and interpolation, and the span losses split work between threads (≥ 32,768 elements).
  const shape = { batch: 400, pac: 10, noiseWidth: 64, dataWidth: 90, condWidth: 40, generatorDims: [128, 128], criticDims: [128, 128] };
  const train = (threads: number): Float32Array[] => {
    cpu.setThreads(threads);
    try {
      const workload = createGanStepWorkload(device, shape, 11);
      for (let i = 0; i < 3; i += 1) workload.step();
      return [workload.generator.saveWeights(), workload.critic.saveWeights()];
    } finally {
      cpu.setThreads(0);
    }
  };
  const [g1, d1] = train(1);
  const [g2, d2] = train(2);
  expect(Buffer.from((g2 as Float32Array).buffer).equals(Buffer.from((g1 as Float32Array).buffer))).toBe(true);
  expect(Buffer.from((d2 as Float32Array).buffer).equals(Buffer.from((d1 as Float32Array).buffer))).toBe(true);
});

test("the FLOP count of the Adult-shaped step matches a hand count", () => {
  const { batch, pac, noiseWidth, dataWidth, condWidth } = ctganAdultShape;
  const g = [
    [noiseWidth + condWidth, 256],
    [noiseWidth + condWidth + 256, 256],
    [noiseWidth + condWidth + 512, dataWidth],
  ] as const;
  const d = [
    [pac * (dataWidth + condWidth), 256],
    [256, 256],
    [256, 1],
  ] as const;
  const gf = g.reduce((s, [i, o]) => s + 2 * batch * i * o, 0);
  const df = d.reduce((s, [i, o]) => s + 2 * (batch / pac) * i * o, 0);
  const dHidden = df - 2 * (batch / pac) * 256;
  const first = 2 * batch * (noiseWidth + condWidth) * 256;
  // critic step: G fwd, D fwd+dW twice, penalty fwd + 3 GEMMs per hidden layer; generator step on the same
  // fake batch: G dW+dx (no dx at layer 1), D fwd+dx (no dW).
  const expected = gf + 4 * df + df + 3 * dHidden + (2 * gf - first) + 2 * df;
  const device = Device.open("cpu");
  expect(createGanStepWorkload(device, ctganAdultShape).flopsPerStep).toBe(expected);
});

test("CUDA-graph capture on the CPU device is refused with what to do instead", () => {
  const device = Device.open("cpu");
  expect(() => device.captureGraph(() => undefined)).toThrow(/run the step eagerly/);
});
