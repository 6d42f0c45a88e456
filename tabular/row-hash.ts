/**
 * Deterministic per-row randomness for ids and fakes: a 32-bit hash of (seed, row, stream), so
 * any range of rows can be produced independently (by chunks, on several workers) and the same
 * seed always gives the same values. Mixing is MurmurHash3's fmix32 finaliser, applied per word.
 */

function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed as two 32-bit words. */
export function seedWords(seed: bigint): [number, number] {
  const masked = BigInt.asUintN(64, seed);
  return [Number(masked & 0xffffffffn), Number(masked >> 32n)];
}

/** A uniform 32-bit unsigned integer for (seed, row, stream). */
export function rowHash(seedLo: number, seedHi: number, row: number, stream: number): number {
  const rowLo = row >>> 0;
  const rowHi = Math.floor(row / 4294967296) >>> 0;
  let h = fmix32(seedLo ^ Math.imul(stream + 1, 0x9e3779b1));
  h = fmix32(h ^ seedHi);
  h = fmix32(h ^ rowLo);
  h = fmix32(h ^ Math.imul(rowHi + 0x632be5ab, 0x27d4eb2d));
  return h;
}

/** An integer in [0, n) for (seed, row, stream); n ≤ 2^32 (bias below 2^-20 for n ≤ 4096). */
export function rowChoice(seedLo: number, seedHi: number, row: number, stream: number, n: number): number {
  return Math.floor((rowHash(seedLo, seedHi, row, stream) / 4294967296) * n);
}

/**
 * A bijection on [0, 2^48): four Feistel rounds over two 24-bit halves, keyed by the seed. Distinct
 * rows give distinct outputs, so ids built from it are unique without any bookkeeping.
 */
export function permute48(value: number, seedLo: number, seedHi: number): number {
  let left = Math.floor(value / 16777216) & 0xffffff;
  let right = value & 0xffffff;
  for (let round = 0; round < 4; round++) {
    const f = fmix32(right ^ (round % 2 === 0 ? seedLo : seedHi) ^ Math.imul(round + 1, 0x9e3779b1)) & 0xffffff;
    [left, right] = [right, left ^ f];
  }
  return left * 16777216 + right;
}
