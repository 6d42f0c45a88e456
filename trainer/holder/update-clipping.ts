/**
 * What a holder does to an update before it leaves: reject non-finite values, clip its L2 norm
 * to C (DP-FedAvg, McMahan et al. 2018: Δ ← Δ · min(1, C/‖Δ‖)), and, when its policy demands
 * it, add its own Gaussian noise N(0, (z_local·C)²) to every coordinate from the operating
 * system's cryptographic generator (the coordinator cannot know or replay it).
 */
import { randomBytes } from "node:crypto";

export class UpdateError extends Error {
  override readonly name = "UpdateError";
}

/** L2 norm in float64. */
export function l2Norm(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += (values[i] as number) * (values[i] as number);
  return Math.sqrt(sum);
}

/**
 * Scales `update` in place to norm ≤ clipNorm (clipNorm 0: no clipping). Returns the norm before
 * clipping and whether it was within the bound (adaptive clipping's b_i).
 */
export function clipUpdate(update: Float32Array, clipNorm: number): { normBefore: number; unclipped: boolean } {
  for (let i = 0; i < update.length; i += 1)
    if (!Number.isFinite(update[i] as number))
      throw new UpdateError(`the local update has a non-finite value at parameter ${i}; local training diverged (lower the learning rate)`);
  const normBefore = l2Norm(update);
  if (!(clipNorm > 0) || normBefore <= clipNorm) return { normBefore, unclipped: true };
  const scale = clipNorm / normBefore;
  for (let i = 0; i < update.length; i += 1) update[i] = (update[i] as number) * scale;
  return { normBefore, unclipped: false };
}

/** n standard normals (Box–Muller on 53-bit uniforms from the OS's CSPRNG). */
export function cryptoNormals(n: number): Float64Array {
  const out = new Float64Array(n);
  const pairs = Math.ceil(n / 2);
  const bytes = randomBytes(pairs * 16);
  for (let p = 0; p < pairs; p += 1) {
    // 53-bit uniforms in (0, 1]: (k + 1) / 2^53.
    const u1 = (Number(bytes.readBigUInt64LE(p * 16) >> 11n) + 1) / 2 ** 53;
    const u2 = Number(bytes.readBigUInt64LE(p * 16 + 8) >> 11n) / 2 ** 53;
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[2 * p] = radius * Math.cos(2 * Math.PI * u2);
    if (2 * p + 1 < n) out[2 * p + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** update += N(0, std²) per coordinate, in place. */
export function addLocalGaussianNoise(update: Float32Array, std: number): void {
  if (!(std >= 0) || !Number.isFinite(std)) throw new UpdateError(`local noise standard deviation must be ≥ 0, got ${std}`);
  if (std === 0) return;
  const noise = cryptoNormals(update.length);
  for (let i = 0; i < update.length; i += 1) update[i] = (update[i] as number) + std * (noise[i] as number);
}
