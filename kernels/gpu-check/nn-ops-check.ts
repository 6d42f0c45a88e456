/**
 * GPU check of the nn ops (section 6 of datalab_kernels.h): each op on the CUDA library against
 * the CPU library, same inputs uploaded to both, outputs poisoned with NaN first. Bounds:
 * GEMM-based ops 4(k + 2)·2^-24 relative to the largest |value| (summation order differs:
 * cuBLAS vs the blocked CPU GEMM); elementwise ops and reductions in double 1e-5 relative
 * (expf/tanhf of CUDA vs glibc differ by ulps); random draws: uniforms and dropout masks
 * bit-identical, normals and Gumbel noise 1e-6 relative (float32 rounding of libm differences).
 */
import { Activation, type DevicePointer, type NnOps, nnOpsFor } from "../index.js";

type Verdict = (name: string, ok: boolean, detail: string) => void;

interface Pair {
  cpu: DevicePointer;
  gpu: DevicePointer;
}

export function checkNnOps(gpuKind: "cuda" | "cpu", random: () => number, verdict: Verdict): void {
  const cpu = nnOpsFor("cpu");
  const gpu = nnOpsFor(gpuKind);
  const both = (values: Float32Array | Int32Array): Pair => {
    const pair = { cpu: cpu.alloc(values.byteLength), gpu: gpu.alloc(values.byteLength) };
    cpu.upload(pair.cpu, values, values.byteLength);
    gpu.upload(pair.gpu, values, values.byteLength);
    return pair;
  };
  const randomF32 = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (2 * random() - 1) * scale);
  const poisoned = (n: number) => both(new Float32Array(n).fill(Number.NaN));
  const counter = () => both(new Int32Array(2));
  const read = (ops: NnOps, p: DevicePointer, n: number) => {
    const out = new Float32Array(n);
    ops.download(out, p, n * 4);
    return out;
  };
  const compare = (name: string, pair: Pair, n: number, relative: number) => {
    const a = read(cpu, pair.cpu, n);
    const b = read(gpu, pair.gpu, n);
    let scale = 1;
    for (const v of a) scale = Math.max(scale, Math.abs(v));
    let worst = -1;
    let worstError = 0;
    for (let i = 0; i < n; i += 1) {
      const error = Math.abs((a[i] as number) - (b[i] as number));
      if (!(error <= worstError)) {
        worstError = error;
        worst = i;
      }
    }
    const ok = worstError <= relative * scale;
    verdict(
      `nn ${name}`,
      ok,
      ok ? `${n} elements within ${relative.toExponential(1)}·${scale.toFixed(2)}` : `element ${worst}: ${gpuKind} ${b[worst]} vs cpu ${a[worst]}`,
    );
  };
  const run = (fn: (ops: NnOps, side: "cpu" | "gpu") => void) => {
    fn(cpu, "cpu");
    fn(gpu, "gpu");
  };
  const gemmBound = (k: number) => 4 * (k + 2) * 2 ** -24;

  for (const [rows, inWidth, out] of [
    [1, 7, 5],
    [500, 232, 256],
    [50, 2740, 256],
    [37, 13, 1],
  ] as const) {
    const x = both(randomF32(rows * inWidth));
    const w = both(randomF32(out * inWidth, 1 / Math.sqrt(inWidth)));
    const b = both(randomF32(out));
    for (const act of [Activation.identity, Activation.relu, Activation.leakyRelu, Activation.tanh]) {
      const y = poisoned(rows * out);
      run((ops, s) => ops.linearForward(rows, inWidth, out, x[s], w[s], b[s], act, 0.2, y[s]));
      compare(`linearForward ${rows}x${inWidth}x${out} act ${act}`, y, rows * out, gemmBound(inWidth));
      const dy = both(randomF32(rows * out));
      const dz = poisoned(rows * out);
      const dx = poisoned(rows * inWidth);
      const dw = both(new Float32Array(out * inWidth));
      const db = both(new Float32Array(out));
      run((ops, s) => ops.linearBackward(rows, inWidth, out, x[s], w[s], y[s], dy[s], act, 0.2, dz[s], dx[s], inWidth, dw[s], db[s]));
      compare(`linearBackward dx ${rows}x${inWidth}x${out} act ${act}`, dx, rows * inWidth, gemmBound(out));
      compare(`linearBackward dW ${rows}x${inWidth}x${out} act ${act}`, dw, out * inWidth, gemmBound(rows));
      compare(`linearBackward db ${rows}x${inWidth}x${out} act ${act}`, db, out, gemmBound(rows));
    }
  }

  for (const [rows, f] of [
    [2, 3],
    [500, 256],
  ] as const) {
    const x = both(randomF32(rows * f, 3));
    const gamma = both(randomF32(f));
    const beta = both(randomF32(f));
    const mean = both(new Float32Array(f));
    const variance = both(new Float32Array(f).fill(1));
    const y = poisoned(rows * f);
    const saved = poisoned(2 * f);
    run((ops, s) =>
      ops.batchnormForward(
        rows,
        f,
        x[s],
        gamma[s],
        beta[s],
        mean[s],
        variance[s],
        0.1,
        1e-5,
        true,
        Activation.relu,
        0,
        y[s],
        saved[s],
        ops.offset(saved[s], f * 4),
      ),
    );
    compare(`batchnormForward ${rows}x${f}`, y, rows * f, 1e-5);
    compare(`batchnorm running var ${rows}x${f}`, variance, f, 1e-6);
    const dy = both(randomF32(rows * f));
    const dx = poisoned(rows * f);
    const dg = both(new Float32Array(f));
    const dbeta = both(new Float32Array(f));
    run((ops, s) =>
      ops.batchnormBackward(rows, f, x[s], gamma[s], saved[s], ops.offset(saved[s], f * 4), y[s], dy[s], true, Activation.relu, 0, dx[s], dg[s], dbeta[s]),
    );
    compare(`batchnormBackward dx ${rows}x${f}`, dx, rows * f, 1e-4);
    compare(`batchnormBackward dγ ${rows}x${f}`, dg, f, 1e-5);
  }

  const n = 100_003;
  const c1 = counter();
  const u = poisoned(n);
  run((ops, s) => ops.uniform(n, 99n, c1[s], -1, 1, u[s]));
  compare("uniform (bit-identical)", u, n, 0);
  const z = poisoned(n);
  run((ops, s) => ops.normal(n, 99n, c1[s], 0, 1, z[s]));
  compare("normal (after a shared counter advance)", z, n, 1e-6);
  const x = both(randomF32(n));
  const y = poisoned(n);
  const mask = poisoned(n);
  run((ops, s) => ops.dropoutForward(n, 0.5, 5n, c1[s], x[s], y[s], mask[s]));
  compare("dropout mask (bit-identical)", mask, n, 0);

  const rows = 97;
  const width = 23;
  const spans = both(Int32Array.from([0, 1, 1, 1, 10, 3, 11, 1, 1, 12, 11, 2]));
  const logits = both(randomF32(rows * width, 3));
  const act = poisoned(rows * width);
  const c2 = counter();
  run((ops, s) => ops.spanActivationForward(rows, width, 4, spans[s], 0.2, 3n, c2[s], logits[s], act[s]));
  compare("span activation (tanh, Gumbel τ=0.2, softmax)", act, rows * width, 1e-5);
  const dy = both(randomF32(rows * width));
  const dx = poisoned(rows * width);
  run((ops, s) => ops.spanActivationBackward(rows, width, 4, spans[s], 0.2, act[s], dy[s], dx[s]));
  compare("span activation backward", dx, rows * width, 1e-4);
  const targets = both(Int32Array.from({ length: rows * 4 }, (_, i) => (i % 4 === 1 ? i % 10 : i % 4 === 3 ? i % 11 : -1)));
  const loss = poisoned(1);
  const dl = both(new Float32Array(rows * width));
  run((ops, s) => ops.spanCrossEntropy(rows, width, 4, spans[s], logits[s], targets[s], 1 / rows, loss[s], dl[s]));
  compare("span cross-entropy loss", loss, 1, 1e-5);
  compare("span cross-entropy gradient", dl, rows * width, 1e-6);

  const p = 200_001;
  const params = both(randomF32(p));
  const grads = both(randomF32(p, 0.1));
  const m = both(new Float32Array(p));
  const v = both(new Float32Array(p));
  const step = counter();
  for (let t = 0; t < 3; t += 1) run((ops, s) => ops.adamw(p, params[s], grads[s], m[s], v[s], step[s], 2e-4, 0.5, 0.9, 1e-8, 1e-6));
  compare("adamw (3 steps)", params, p, 2 ** -22);

  const packs = 50;
  const packed = 2740;
  const real = both(randomF32(packs * packed));
  const fake = both(randomF32(packs * packed));
  const mixed = poisoned(packs * packed);
  const c3 = counter();
  run((ops, s) => ops.interpolateRows(packs, packed, real[s], fake[s], 8n, c3[s], mixed[s]));
  compare("interpolate rows", mixed, packs * packed, 1e-7);
  const penalty = poisoned(1);
  const dgrad = poisoned(packs * packed);
  run((ops, s) => ops.gpNorm(packs, packed, mixed[s], 10, penalty[s], dgrad[s]));
  compare("gradient penalty norm", penalty, 1, 1e-5);
  compare("gradient penalty d/dG", dgrad, packs * packed, 1e-5);
}
