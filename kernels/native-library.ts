/**
 * Loads one native library (CPU or CUDA) with koffi and binds every ABI function of
 * kernels/include/datalab_kernels.h. Typed arrays are passed as pointers without copying.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import koffi from "koffi";
import { KernelError } from "./errors.js";

export type BackendKind = "cpu" | "cuda";

/** A bound ABI function: call synchronously, or `.async(...args, callback)` on a worker thread. */
export interface NativeFunction {
  (...args: unknown[]): unknown;
  async: (...args: unknown[]) => void;
}

export interface NativeLibrary {
  kind: BackendKind;
  path: string;
  /** The koffi handle, for bindings kept beside their own facade (kernels/nn-ops.ts). */
  handle: ReturnType<typeof koffi.load>;
  version: NativeFunction;
  lastError: NativeFunction;
  deviceCount: NativeFunction;
  noDeviceReason: NativeFunction;
  deviceInfo: NativeFunction;
  setThreads: NativeFunction;
  gemmUsesCublas: NativeFunction;
  gemmForceOwnKernel: NativeFunction;
  philoxUniform: NativeFunction;
  philoxNormal: NativeFunction;
  philoxRaw: NativeFunction;
  gemm: NativeFunction;
  copulaSample: NativeFunction;
  copulaNormalScores: NativeFunction;
  nearestNeighbors: NativeFunction;
  matchRows: NativeFunction;
  aggregateUpdates: NativeFunction;
  timeGemm: NativeFunction;
  timeCopy: NativeFunction;
  timeAggregate: NativeFunction;
}

const prototypes = {
  version: "const char *dl_version(void)",
  lastError: "const char *dl_last_error(void)",
  deviceCount: "int dl_device_count(_Out_ int *count)",
  noDeviceReason: "const char *dl_no_device_reason(void)",
  deviceInfo: "int dl_device_info(int index, void *name, size_t name_capacity, void *memory_bytes, void *cc_major, void *cc_minor)",
  setThreads: "int dl_set_threads(int threads)",
  gemmUsesCublas: "int dl_gemm_uses_cublas(void)",
  gemmForceOwnKernel: "int dl_gemm_force_own_kernel(int enabled)",
  philoxUniform: "int dl_philox_uniform_f64(uint64_t seed, uint64_t counter, void *out, size_t n)",
  philoxNormal: "int dl_philox_normal_f64(uint64_t seed, uint64_t counter, void *out, size_t n)",
  philoxRaw: "int dl_philox4x32_raw(uint32_t key0, uint32_t key1, void *ctr_in, void *out, size_t blocks)",
  gemm: "int dl_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, void *a, void *b, float beta, void *c)",
  copulaSample:
    "int dl_copula_sample(int64_t rows, int64_t d, void *cholesky, void *mean, void *kind, void *table_offset, void *table_length, void *tables, int64_t tables_total, void *z_min, void *z_max, uint64_t seed, uint64_t counter_offset, void *out)",
  copulaNormalScores: "int dl_copula_normal_scores(int64_t rows, int64_t d, void *cholesky, void *mean, uint64_t seed, uint64_t counter_offset, void *out)",
  nearestNeighbors:
    "int dl_nearest_neighbors(int64_t rows_a, void *a_numeric, void *a_categorical, int64_t rows_b, void *b_numeric, void *b_categorical, int64_t numeric_count, int64_t categorical_count, void *inv_range, int k, int exclude_same_index, void *out_distance, void *out_index)",
  matchRows:
    "int dl_match_rows(int64_t rows_a, void *a_numeric, void *a_categorical, int64_t rows_b, void *b_numeric, void *b_categorical, int64_t numeric_count, int64_t categorical_count, double rel_tolerance, void *matched)",
  aggregateUpdates:
    "int dl_aggregate_updates(void *updates, int64_t k, int64_t n, void *weights, double clip, double noise_std, uint64_t seed, uint64_t counter, void *out, void *norms_out)",
  timeGemm: "int dl_time_gemm_device(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, int use_own_kernel, int repetitions, void *seconds)",
  timeCopy: "int dl_time_copy_device(uint64_t bytes, int repetitions, void *seconds)",
  timeAggregate: "int dl_time_aggregate_device(int64_t k, int64_t n, int repetitions, void *seconds)",
} as const;

const fileNames: Record<BackendKind, string> = {
  cpu: "libdatalab_kernels_cpu.so",
  cuda: "libdatalab_kernels_cuda.so",
};

/**
 * Folders searched for the libraries: only $DATALAB_KERNELS_DIR when it is set; otherwise
 * `build/` next to this module (source tree, GPU-check bundle), then the source tree's
 * kernels/build as seen from dist/kernels/.
 */
export function libraryDirectories(): string[] {
  const override = process.env["DATALAB_KERNELS_DIR"];
  if (override) return [override];
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.join(here, "build"), path.resolve(here, "..", "..", "kernels", "build")];
}

/** What kernels/build.mjs recorded about a library ("" when it left no report). */
export function buildReportReason(kind: BackendKind): string {
  for (const dir of libraryDirectories()) {
    const file = path.join(dir, "build-report.json");
    if (!existsSync(file)) continue;
    try {
      const report = JSON.parse(readFileSync(file, "utf8")) as Record<string, { built?: boolean; reason?: string }>;
      const reason = report[kind]?.reason;
      if (typeof reason === "string") return reason.split("\n")[0] ?? "";
    } catch {
      return "";
    }
  }
  return "";
}

const loaded = new Map<BackendKind, NativeLibrary | KernelError>();

/** Loads (once) the library of `kind`, or returns the KernelError saying why it cannot. */
export function loadNativeLibrary(kind: BackendKind): NativeLibrary | KernelError {
  const cached = loaded.get(kind);
  if (cached !== undefined) return cached;
  const result = tryLoad(kind);
  loaded.set(kind, result);
  return result;
}

function tryLoad(kind: BackendKind): NativeLibrary | KernelError {
  const file = libraryDirectories()
    .map((dir) => path.join(dir, fileNames[kind]))
    .find((candidate) => existsSync(candidate));
  if (file === undefined) {
    const why = buildReportReason(kind);
    return new KernelError(`native ${kind} library not built${why ? ` (${why})` : ""}: run npm run build:kernels`);
  }
  // libgomp reads OMP_WAIT_POLICY when the library loads it. Its default spins at every barrier,
  // which on a machine with more runnable threads than cores (shared build hosts) makes a team
  // wait for a descheduled member: the nn training step measured 1.83 s (spinning) vs 0.17 s
  // (passive) per step at load average 18 on 2 cores (benchmarks/results/nn-ctgan-step-*-2026-12-02.json).
  // An explicit OMP_WAIT_POLICY in the environment is kept.
  process.env["OMP_WAIT_POLICY"] ??= "PASSIVE";
  try {
    const lib = koffi.load(file);
    const bound: Partial<Record<keyof typeof prototypes, NativeFunction>> = {};
    for (const [name, proto] of Object.entries(prototypes)) {
      bound[name as keyof typeof prototypes] = lib.func(proto) as unknown as NativeFunction;
    }
    return { kind, path: file, handle: lib, ...(bound as Record<keyof typeof prototypes, NativeFunction>) };
  } catch (error) {
    return new KernelError(`cannot load ${file}: ${(error as Error).message}; rebuild with npm run build:kernels`, {
      cause: error,
    });
  }
}
