/**
 * The nn part of the GPU check (kernels/gpu-check/check.ts runs it): the CTGAN-shaped training
 * step on CUDA against the CPU library, then its timing eagerly and as a captured CUDA graph.
 *  - parity: same seed on both devices; the critic loss of the first step within 1e-4 relative,
 *    and the weights after one step within 2·lr + 1e-5 (AdamW's first step moves a weight by
 *    ±lr·sign(g), so a gradient near 0 may take the other sign on the other device) with the
 *    share of weights differing by more than 1e-5 reported;
 *  - timing: seconds per step and per 65-step epoch (target of the issue on a card: a 300-epoch
 *    Adult run ≤ 30 s, i.e. ≤ 1.5 ms per step).
 * Imports only the engine's files it needs (no ONNX, so the check bundle stays small).
 */
import type { BackendKind } from "../kernels/index.js";
import { Device } from "./device.js";
import { createGanStepWorkload, ctganAdultShape, type GanStepShape } from "./gan-step-workload.js";

export interface GpuStepCheck {
  ok: boolean;
  detail: string;
  timing?: Record<string, number>;
}

function weightsAfterOneStep(kind: BackendKind, shape: GanStepShape): { loss: number; generator: Float32Array; critic: Float32Array } {
  const device = Device.open(kind);
  const workload = createGanStepWorkload(device, shape, 11);
  workload.step();
  return { loss: workload.criticLoss.item(), generator: workload.generator.saveWeights(), critic: workload.critic.saveWeights() };
}

export function checkTrainingStepParity(gpuKind: BackendKind, shape: GanStepShape = ctganAdultShape): GpuStepCheck {
  const cpu = weightsAfterOneStep("cpu", shape);
  const gpu = weightsAfterOneStep(gpuKind, shape);
  const lr = 2e-4;
  let worst = 0;
  let differing = 0;
  let total = 0;
  for (const [a, b] of [
    [cpu.generator, gpu.generator],
    [cpu.critic, gpu.critic],
  ] as const) {
    for (let i = 0; i < a.length; i += 1) {
      const d = Math.abs((a[i] as number) - (b[i] as number));
      worst = Math.max(worst, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
      if (d > 1e-5) differing += 1;
      total += 1;
    }
  }
  const lossOk = Math.abs(cpu.loss - gpu.loss) <= 1e-4 * Math.max(1, Math.abs(cpu.loss));
  const ok = lossOk && worst <= 2 * lr + 1e-5;
  return {
    ok,
    detail: `critic loss cpu ${cpu.loss} vs ${gpuKind} ${gpu.loss}; weights after one step: max |Δ| ${worst.toExponential(2)} (bound ${(2 * lr + 1e-5).toExponential(2)}), ${differing} of ${total} differ by > 1e-5`,
  };
}

export function timeTrainingStep(kind: BackendKind, steps = 50, shape: GanStepShape = ctganAdultShape): Record<string, number> {
  const device = Device.open(kind);
  const workload = createGanStepWorkload(device, shape, 13);
  for (let i = 0; i < 3; i += 1) workload.step();
  device.synchronize();
  let start = performance.now();
  for (let i = 0; i < steps; i += 1) workload.step();
  device.synchronize();
  const eagerSeconds = (performance.now() - start) / 1000 / steps;
  const timing: Record<string, number> = {
    eagerStepSeconds: eagerSeconds,
    eagerEpochSeconds: eagerSeconds * 65,
    gflopPerStep: workload.flopsPerStep / 1e9,
    eagerGflops: workload.flopsPerStep / eagerSeconds / 1e9,
  };
  if (kind === "cuda") {
    const graph = device.captureGraph(() => workload.step());
    graph.launch();
    device.synchronize();
    start = performance.now();
    for (let i = 0; i < steps; i += 1) graph.launch();
    device.synchronize();
    const graphSeconds = (performance.now() - start) / 1000 / steps;
    graph.dispose();
    Object.assign(timing, { graphStepSeconds: graphSeconds, graphEpochSeconds: graphSeconds * 65, graphGflops: workload.flopsPerStep / graphSeconds / 1e9 });
  }
  return timing;
}
