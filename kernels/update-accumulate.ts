/**
 * Section 5b of datalab_kernels.h on the active library (CPU or CUDA): the streaming halves of
 * clip-and-sum. `sumSquares` takes Σx² of one piece of an update while the piece is in cache (the
 * coordinator calls it per received chunk); `accumulateScaled` adds Σ_k coef_k u_k into the
 * running sum in one pass. An update is so read from memory once, where aggregateUpdates reads
 * it twice. Bound beside their facade like nn-ops.ts, so the shared bindings stay untouched.
 */
import { backendFor, deviceSelection } from "./device.js";
import { KernelError } from "./errors.js";
import type { BackendKind, NativeFunction } from "./native-library.js";

const prototypes = {
  sumSquares: "int dl_sum_squares_f32(void *x, int64_t n, _Out_ double *sum_squares_out)",
  accumulateScaled: "int dl_accumulate_scaled_f32(void *acc, void *updates, int64_t k, int64_t n, void *coef)",
} as const;

interface Bound {
  kind: BackendKind;
  sumSquares: NativeFunction;
  accumulateScaled: NativeFunction;
  lastError: NativeFunction;
}

const bound = new Map<BackendKind, Bound>();

/** The functions of one library: `kind`, or the active device's when omitted. */
function active(kind?: BackendKind): Bound {
  const backend = kind === undefined ? deviceSelection().backend : backendFor(kind);
  const existing = bound.get(backend.kind);
  if (existing) return existing;
  const library = backend.library;
  try {
    const made: Bound = {
      kind: backend.kind,
      sumSquares: library.handle.func(prototypes.sumSquares) as unknown as NativeFunction,
      accumulateScaled: library.handle.func(prototypes.accumulateScaled) as unknown as NativeFunction,
      lastError: library.lastError,
    };
    bound.set(backend.kind, made);
    return made;
  } catch (error) {
    throw new KernelError(`${library.path} lacks dl_sum_squares_f32 (${(error as Error).message}): run npm run build:kernels`, { cause: error });
  }
}

function failure(fns: Bound, what: string, status: unknown): KernelError {
  const message = String(fns.lastError() ?? "");
  return new KernelError(`${what} failed on ${fns.kind}: ${message || `error code ${String(status)}`}`, { code: Number(status) });
}

/** Σ x_j² over a float32 array, accumulated in double (same bits for the same input). */
export function sumSquares(x: Float32Array, kind?: BackendKind): number {
  const fns = active(kind);
  const out = [0];
  const status = fns.sumSquares(x.length > 0 ? x : new Float32Array(1), x.length, out);
  if (status !== 0) throw failure(fns, "sumSquares", status);
  return out[0] as number;
}

function accumulateArgs(acc: Float32Array, updates: Float32Array, k: number, coef: Float64Array): unknown[] {
  const n = acc.length;
  if (!Number.isInteger(k) || k < 0) throw new KernelError(`accumulateScaled: k must be a whole number >= 0, got ${k}`);
  if (updates.length < k * n) throw new KernelError(`accumulateScaled: updates hold ${updates.length} values, k×n needs ${k * n}`);
  if (coef.length < k) throw new KernelError(`accumulateScaled: ${coef.length} coefficients for ${k} updates`);
  for (let i = 0; i < k; i++) {
    if (!Number.isFinite(coef[i] as number)) throw new KernelError(`accumulateScaled: coefficient ${i} is ${coef[i]}; it must be finite`);
  }
  return [n > 0 ? acc : new Float32Array(1), k * n > 0 ? updates : new Float32Array(1), k, n, k > 0 ? coef : new Float64Array(1)];
}

/** acc_j ← float32(acc_j + Σ_k coef_k · updates[k·n + j]) in place, the sum in double; n = acc.length. */
export function accumulateScaled(acc: Float32Array, updates: Float32Array, k: number, coef: Float64Array, kind?: BackendKind): void {
  const fns = active(kind);
  const status = fns.accumulateScaled(...accumulateArgs(acc, updates, k, coef));
  if (status !== 0) throw failure(fns, "accumulateScaled", status);
}

/** accumulateScaled on a koffi worker thread (the event loop stays free during a 40 MB pass). */
export function accumulateScaledAsync(acc: Float32Array, updates: Float32Array, k: number, coef: Float64Array, kind?: BackendKind): Promise<void> {
  const fns = active(kind);
  const args = accumulateArgs(acc, updates, k, coef);
  return new Promise((resolve, reject) => {
    fns.accumulateScaled.async(...args, (error: unknown, status: unknown) => {
      if (error) reject(new KernelError(`accumulateScaled failed on ${fns.kind}: ${String(error)}`, { cause: error }));
      else if (status !== 0) reject(failure(fns, "accumulateScaled", status));
      else resolve();
    });
  });
}
