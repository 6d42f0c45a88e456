/**
 * Bindings of section 6 of datalab_kernels.h (the nn ops) on one library, CPU or CUDA. Buffers
 * are opaque device pointers allocated by the library (`DevicePointer`); only upload/download
 * touch host memory. Shapes are validated by nn/ (which knows them); the library re-checks what
 * it can and its message comes back in a KernelError. Every method is one native call.
 */
import { backendFor } from "./device.js";
import { KernelError } from "./errors.js";
import type { BackendKind, NativeFunction } from "./native-library.js";

/** A pointer into a buffer of dl_nn_alloc (device memory on CUDA). Opaque to TypeScript. */
export type DevicePointer = { readonly __devicePointer: unique symbol } | object;

const prototypes = {
  alloc: "void *dl_nn_alloc(uint64_t bytes)",
  free: "int dl_nn_free(void *buffer)",
  offset: "void *dl_nn_offset(void *buffer, uint64_t bytes)",
  upload: "int dl_nn_upload(void *dst, void *src, uint64_t bytes)",
  download: "int dl_nn_download(void *dst, void *src, uint64_t bytes)",
  copy: "int dl_nn_copy(void *dst, void *src, uint64_t bytes)",
  synchronize: "int dl_nn_synchronize(void)",
  fill: "int dl_nn_fill_f32(int64_t n, float value, void *x)",
  axpy: "int dl_nn_axpy_f32(int64_t n, float alpha, void *x, void *y)",
  mul: "int dl_nn_mul_f32(int64_t n, void *a, void *b, void *out)",
  sum: "int dl_nn_sum_f32(int64_t n, void *x, float scale, void *out)",
  broadcastRows: "int dl_nn_broadcast_rows(int64_t rows, int64_t width, void *vec, void *out)",
  columnSum: "int dl_nn_column_sum(int64_t rows, int64_t width, void *x, void *out)",
  copyColumns:
    "int dl_nn_copy_columns(int64_t rows, int64_t width, void *src, int64_t src_width, int64_t src_start, void *dst, int64_t dst_width, int64_t dst_start, int accumulate)",
  gatherRows: "int dl_nn_gather_rows(int64_t rows, int64_t width, void *table, void *indices, void *out)",
  oneHot: "int dl_nn_one_hot(int64_t rows, int64_t width, void *indices, void *out)",
  normal: "int dl_nn_normal_f32(int64_t n, uint64_t seed, void *rng_counter, float mean, float std, void *out)",
  uniform: "int dl_nn_uniform_f32(int64_t n, uint64_t seed, void *rng_counter, float lo, float hi, void *out)",
  gemm: "int dl_nn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, void *a, void *b, float beta, void *c)",
  linearForward: "int dl_nn_linear_forward(int64_t rows, int64_t in, int64_t out, void *x, void *w, void *b, int act, float slope, void *y)",
  linearBackward:
    "int dl_nn_linear_backward(int64_t rows, int64_t in, int64_t out, void *x, void *w, void *y, void *dy, int act, float slope, void *dz, void *dx, int64_t dx_cols, void *dw, void *db)",
  activationForward: "int dl_nn_activation_forward(int64_t n, int act, float slope, void *x, void *y)",
  activationBackward: "int dl_nn_activation_backward(int64_t n, int act, float slope, void *y, void *dy, void *dx)",
  batchnormForward:
    "int dl_nn_batchnorm_forward(int64_t rows, int64_t features, void *x, void *gamma, void *beta, void *running_mean, void *running_var, float momentum, float eps, int training, int act, float slope, void *y, void *saved_mean, void *saved_invstd)",
  batchnormBackward:
    "int dl_nn_batchnorm_backward(int64_t rows, int64_t features, void *x, void *gamma, void *saved_mean, void *saved_invstd, void *y, void *dy, int training, int act, float slope, void *dx, void *dgamma, void *dbeta)",
  dropoutForward: "int dl_nn_dropout_forward(int64_t n, float p, uint64_t seed, void *rng_counter, void *x, void *y, void *mask)",
  spanActivationForward:
    "int dl_nn_span_activation_forward(int64_t rows, int64_t width, int64_t span_count, void *spans, float tau, uint64_t seed, void *rng_counter, void *x, void *y)",
  spanActivationBackward:
    "int dl_nn_span_activation_backward(int64_t rows, int64_t width, int64_t span_count, void *spans, float tau, void *y, void *dy, void *dx)",
  spanCrossEntropy:
    "int dl_nn_span_cross_entropy(int64_t rows, int64_t width, int64_t span_count, void *spans, void *logits, void *targets, float scale, void *loss_out, void *dlogits)",
  mse: "int dl_nn_mse(int64_t n, void *y, void *t, float scale, void *loss_out, void *dy)",
  adamw:
    "int dl_nn_adamw(int64_t n, void *params, void *grads, void *m, void *v, void *step, float lr, float beta1, float beta2, float eps, float weight_decay)",
  interpolateRows: "int dl_nn_interpolate_rows(int64_t rows, int64_t width, void *real, void *fake, uint64_t seed, void *rng_counter, void *out)",
  gpNorm: "int dl_nn_gp_norm(int64_t rows, int64_t width, void *grad, float lambda, void *penalty_out, void *dgrad)",
  leakyMaskMul: "int dl_nn_leaky_mask_mul(int64_t n, void *h, void *mask, float slope, void *input, void *out)",
  graphBegin: "int dl_nn_graph_begin(void)",
  graphEnd: "int dl_nn_graph_end(_Out_ int64_t *graph_id)",
  graphLaunch: "int dl_nn_graph_launch(int64_t graph_id)",
  graphDestroy: "int dl_nn_graph_destroy(int64_t graph_id)",
} as const;

type OpName = keyof typeof prototypes;
type Ptr = DevicePointer | null;

/** Activation codes of the ABI (DL_ACT_*). */
export const Activation = { identity: 0, relu: 1, leakyRelu: 2, tanh: 3 } as const;
export type ActivationCode = (typeof Activation)[keyof typeof Activation];
/** Output span kinds of the ABI (DL_SPAN_*). */
export const SpanKind = { identity: 0, tanh: 1, softmax: 2, gumbelSoftmax: 3 } as const;
export type SpanKindCode = (typeof SpanKind)[keyof typeof SpanKind];

export class NnOps {
  readonly kind: BackendKind;
  private readonly fn: Record<OpName, NativeFunction>;
  private readonly lastError: NativeFunction;

  constructor(kind: BackendKind) {
    const backend = backendFor(kind);
    this.kind = kind;
    this.lastError = backend.library.lastError;
    const bound: Partial<Record<OpName, NativeFunction>> = {};
    for (const [name, proto] of Object.entries(prototypes)) {
      try {
        bound[name as OpName] = backend.library.handle.func(proto) as unknown as NativeFunction;
      } catch (error) {
        throw new KernelError(`${backend.library.path} lacks the nn ops (${(error as Error).message}): run npm run build:kernels`, { cause: error });
      }
    }
    this.fn = bound as Record<OpName, NativeFunction>;
  }

  private call(name: OpName, ...args: unknown[]): void {
    const status = opProfile === null ? this.fn[name](...args) : profiledCall(this.fn[name], name, args);
    if (status === 0) return;
    const message = String(this.lastError() ?? "");
    throw new KernelError(`nn ${name} failed on ${this.kind}: ${message || `error code ${String(status)}`}`, { code: Number(status) });
  }

  alloc(bytes: number): DevicePointer {
    const pointer = this.fn.alloc(bytes) as DevicePointer | null;
    if (pointer === null) throw new KernelError(`nn alloc of ${bytes} bytes failed on ${this.kind}: ${String(this.lastError() ?? "")}`);
    return pointer;
  }
  free(pointer: DevicePointer): void {
    this.call("free", pointer);
  }
  offset(pointer: DevicePointer, bytes: number): DevicePointer {
    return this.fn.offset(pointer, bytes) as DevicePointer;
  }
  upload(dst: DevicePointer, src: ArrayBufferView, bytes: number): void {
    this.call("upload", dst, src, bytes);
  }
  download(dst: ArrayBufferView, src: DevicePointer, bytes: number): void {
    this.call("download", dst, src, bytes);
  }
  copy(dst: DevicePointer, src: DevicePointer, bytes: number): void {
    this.call("copy", dst, src, bytes);
  }
  synchronize(): void {
    this.call("synchronize");
  }
  fill(n: number, value: number, x: DevicePointer): void {
    this.call("fill", n, value, x);
  }
  axpy(n: number, alpha: number, x: DevicePointer, y: DevicePointer): void {
    this.call("axpy", n, alpha, x, y);
  }
  mul(n: number, a: DevicePointer, b: DevicePointer, out: DevicePointer): void {
    this.call("mul", n, a, b, out);
  }
  sum(n: number, x: DevicePointer, scale: number, out: DevicePointer): void {
    this.call("sum", n, x, scale, out);
  }
  broadcastRows(rows: number, width: number, vec: DevicePointer, out: DevicePointer): void {
    this.call("broadcastRows", rows, width, vec, out);
  }
  columnSum(rows: number, width: number, x: DevicePointer, out: DevicePointer): void {
    this.call("columnSum", rows, width, x, out);
  }
  copyColumns(
    rows: number,
    width: number,
    src: DevicePointer,
    srcWidth: number,
    srcStart: number,
    dst: DevicePointer,
    dstWidth: number,
    dstStart: number,
    accumulate: boolean,
  ): void {
    this.call("copyColumns", rows, width, src, srcWidth, srcStart, dst, dstWidth, dstStart, accumulate ? 1 : 0);
  }
  gatherRows(rows: number, width: number, table: DevicePointer, indices: DevicePointer, out: DevicePointer): void {
    this.call("gatherRows", rows, width, table, indices, out);
  }
  oneHot(rows: number, width: number, indices: DevicePointer, out: DevicePointer): void {
    this.call("oneHot", rows, width, indices, out);
  }
  normal(n: number, seed: bigint, counter: DevicePointer, mean: number, std: number, out: DevicePointer): void {
    this.call("normal", n, BigInt.asUintN(64, seed), counter, mean, std, out);
  }
  uniform(n: number, seed: bigint, counter: DevicePointer, lo: number, hi: number, out: DevicePointer): void {
    this.call("uniform", n, BigInt.asUintN(64, seed), counter, lo, hi, out);
  }
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: DevicePointer,
    b: DevicePointer,
    beta: number,
    c: DevicePointer,
  ): void {
    this.call("gemm", transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, b, beta, c);
  }
  linearForward(
    rows: number,
    inWidth: number,
    outWidth: number,
    x: DevicePointer,
    w: DevicePointer,
    b: Ptr,
    act: ActivationCode,
    slope: number,
    y: DevicePointer,
  ): void {
    this.call("linearForward", rows, inWidth, outWidth, x, w, b, act, slope, y);
  }
  linearBackward(
    rows: number,
    inWidth: number,
    outWidth: number,
    x: DevicePointer,
    w: DevicePointer,
    y: DevicePointer,
    dy: DevicePointer,
    act: ActivationCode,
    slope: number,
    dz: DevicePointer,
    dx: Ptr,
    dxColumns: number,
    dw: Ptr,
    db: Ptr,
  ): void {
    this.call("linearBackward", rows, inWidth, outWidth, x, w, y, dy, act, slope, dz, dx, dxColumns, dw, db);
  }
  activationForward(n: number, act: ActivationCode, slope: number, x: DevicePointer, y: DevicePointer): void {
    this.call("activationForward", n, act, slope, x, y);
  }
  activationBackward(n: number, act: ActivationCode, slope: number, y: DevicePointer, dy: DevicePointer, dx: DevicePointer): void {
    this.call("activationBackward", n, act, slope, y, dy, dx);
  }
  batchnormForward(
    rows: number,
    features: number,
    x: DevicePointer,
    gamma: DevicePointer,
    beta: DevicePointer,
    runningMean: DevicePointer,
    runningVar: DevicePointer,
    momentum: number,
    eps: number,
    training: boolean,
    act: ActivationCode,
    slope: number,
    y: DevicePointer,
    savedMean: DevicePointer,
    savedInvstd: DevicePointer,
  ): void {
    this.call(
      "batchnormForward",
      rows,
      features,
      x,
      gamma,
      beta,
      runningMean,
      runningVar,
      momentum,
      eps,
      training ? 1 : 0,
      act,
      slope,
      y,
      savedMean,
      savedInvstd,
    );
  }
  batchnormBackward(
    rows: number,
    features: number,
    x: DevicePointer,
    gamma: DevicePointer,
    savedMean: DevicePointer,
    savedInvstd: DevicePointer,
    y: DevicePointer,
    dy: DevicePointer,
    training: boolean,
    act: ActivationCode,
    slope: number,
    dx: Ptr,
    dgamma: Ptr,
    dbeta: Ptr,
  ): void {
    this.call("batchnormBackward", rows, features, x, gamma, savedMean, savedInvstd, y, dy, training ? 1 : 0, act, slope, dx, dgamma, dbeta);
  }
  dropoutForward(n: number, p: number, seed: bigint, counter: DevicePointer, x: DevicePointer, y: DevicePointer, mask: DevicePointer): void {
    this.call("dropoutForward", n, p, BigInt.asUintN(64, seed), counter, x, y, mask);
  }
  spanActivationForward(
    rows: number,
    width: number,
    spanCount: number,
    spans: DevicePointer,
    tau: number,
    seed: bigint,
    counter: DevicePointer,
    x: DevicePointer,
    y: DevicePointer,
  ): void {
    this.call("spanActivationForward", rows, width, spanCount, spans, tau, BigInt.asUintN(64, seed), counter, x, y);
  }
  spanActivationBackward(
    rows: number,
    width: number,
    spanCount: number,
    spans: DevicePointer,
    tau: number,
    y: DevicePointer,
    dy: DevicePointer,
    dx: DevicePointer,
  ): void {
    this.call("spanActivationBackward", rows, width, spanCount, spans, tau, y, dy, dx);
  }
  spanCrossEntropy(
    rows: number,
    width: number,
    spanCount: number,
    spans: DevicePointer,
    logits: DevicePointer,
    targets: DevicePointer,
    scale: number,
    lossOut: DevicePointer,
    dlogits: Ptr,
  ): void {
    this.call("spanCrossEntropy", rows, width, spanCount, spans, logits, targets, scale, lossOut, dlogits);
  }
  mse(n: number, y: DevicePointer, t: DevicePointer, scale: number, lossOut: DevicePointer, dy: Ptr): void {
    this.call("mse", n, y, t, scale, lossOut, dy);
  }
  adamw(
    n: number,
    params: DevicePointer,
    grads: DevicePointer,
    m: DevicePointer,
    v: DevicePointer,
    step: DevicePointer,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
  ): void {
    this.call("adamw", n, params, grads, m, v, step, lr, beta1, beta2, eps, weightDecay);
  }
  interpolateRows(rows: number, width: number, real: DevicePointer, fake: DevicePointer, seed: bigint, counter: DevicePointer, out: DevicePointer): void {
    this.call("interpolateRows", rows, width, real, fake, BigInt.asUintN(64, seed), counter, out);
  }
  gpNorm(rows: number, width: number, grad: DevicePointer, lambda: number, penaltyOut: DevicePointer, dgrad: DevicePointer): void {
    this.call("gpNorm", rows, width, grad, lambda, penaltyOut, dgrad);
  }
  leakyMaskMul(n: number, h: DevicePointer, mask: Ptr, slope: number, input: DevicePointer, out: DevicePointer): void {
    this.call("leakyMaskMul", n, h, mask, slope, input, out);
  }
  graphBegin(): void {
    this.call("graphBegin");
  }
  graphEnd(): bigint {
    const id = [0n];
    this.call("graphEnd", id);
    return BigInt(id[0] ?? 0n);
  }
  graphLaunch(id: bigint): void {
    this.call("graphLaunch", id);
  }
  graphDestroy(id: bigint): void {
    this.call("graphDestroy", id);
  }
}

/**
 * Per-op profile, on when DL_NN_PROFILE is set: wall milliseconds and calls per op (GEMM-shaped
 * ops keyed by their shape), so one training step's time splits by op. Read with nnOpProfile();
 * run on one thread (setThreads(1)) to get each op's CPU time.
 */
export interface OpProfileEntry {
  calls: number;
  /** Wall time in the native call. */
  milliseconds: number;
  /** CPU time of the whole process (all threads) during the call. */
  cpuMilliseconds: number;
}
const opProfile: Map<string, OpProfileEntry> | null = process.env["DL_NN_PROFILE"] ? new Map() : null;

function profileKey(name: OpName, args: unknown[]): string {
  if (name === "gemm") return `gemm ${args[0]}${args[1]} ${args[2]}x${args[3]}x${args[4]}`;
  if (name === "linearForward" || name === "linearBackward")
    return `${name} ${args[0]}x${args[1]}->${args[2]}${name === "linearBackward" && args[10] !== null ? " +dx" : ""}`;
  return name;
}

function profiledCall(fn: NativeFunction, name: OpName, args: unknown[]): unknown {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const status = fn(...args);
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const key = profileKey(name, args);
  const entry = (opProfile as Map<string, OpProfileEntry>).get(key) ?? { calls: 0, milliseconds: 0, cpuMilliseconds: 0 };
  entry.calls += 1;
  entry.milliseconds += wall;
  entry.cpuMilliseconds += (cpu.user + cpu.system) / 1000;
  (opProfile as Map<string, OpProfileEntry>).set(key, entry);
  return status;
}

/** The per-op profile gathered since the last reset (null unless DL_NN_PROFILE is set). */
export function nnOpProfile(reset = false): Map<string, OpProfileEntry> | null {
  if (opProfile === null) return null;
  const copy = new Map([...opProfile].map(([key, entry]) => [key, { ...entry }]));
  if (reset) opProfile.clear();
  return copy;
}

const opsByKind = new Map<BackendKind, NnOps>();

/** The nn ops of the `kind` library, bound once; throws KernelError when it is missing or too old. */
export function nnOpsFor(kind: BackendKind): NnOps {
  const existing = opsByKind.get(kind);
  if (existing) return existing;
  const ops = new NnOps(kind);
  opsByKind.set(kind, ops);
  return ops;
}
