/** Seeds of a model's random streams (initialisation per layer, dropout masks, penalty weights). */

/** The 64-bit seed of stream `index` of `seed` (golden-ratio increments keep streams apart). */
export function streamSeed(seed: bigint, index: number): bigint {
  return BigInt.asUintN(64, seed + 0x9e3779b97f4a7c15n * BigInt(index + 1));
}
