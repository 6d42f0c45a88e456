/**
 * Sources of uniformly random bits for the DP samplers.
 *
 * Private noise must come from a cryptographic generator: `createCryptoSource()` reads
 * `node:crypto.randomFillSync` in 64 KiB blocks (one system call per 16,384 words). Tests need
 * repeatable noise, so `createSeededSource(seed)` runs AES-256-CTR keyed by SHA-256 of the seed:
 * the stream is as uniform as the crypto source, but anyone who knows the seed knows the noise,
 * so it carries `privateRandomness: false` and every model or report built from it must say so.
 *
 * Integers are drawn by rejection (never by `Math.floor(u * n)` on a float), so each value in
 * [0, n) has probability exactly 1/n.
 */
import { createCipheriv, createHash, randomFillSync } from "node:crypto";
import { PrivacyParameterError } from "./errors.js";

const BLOCK_WORDS = 16_384;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;

/** A stream of uniform random bits with exact integer sampling on top. */
export interface PrivacySource {
  /** True only for a cryptographic generator with an unknown seed: noise from it protects privacy. */
  readonly privateRandomness: boolean;
  /** A short label for model files and reports ("node:crypto" or "seeded AES-256-CTR (not private)"). */
  readonly description: string;
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform integer in [0, n) for an integer 1 ≤ n ≤ 2^53, exactly (rejection sampling). */
  uniformBelow(n: number): number;
  /** A uniform bigint in [0, n) for a bigint n ≥ 1, exactly. */
  uniformBelowBig(n: bigint): bigint;
  /**
   * Test-only planted bug: the noise functions and the exponential mechanism multiply their noise
   * scale by this factor. Only a seeded source (never private) can carry it, so the audit can
   * break a whole synthesizer without touching its code; undefined means 1.
   */
  readonly testOnlyNoiseScaleFactor?: number;
}

/** Options of a seeded source. */
export interface SeededSourceOptions {
  /** Planted bug for the audit: the noise scale is multiplied by this (e.g. 0.5). */
  readonly testOnlyNoiseScaleFactor?: number;
}

/** Shared rejection-sampling logic over a word generator. */
abstract class WordSource implements PrivacySource {
  abstract readonly privateRandomness: boolean;
  abstract readonly description: string;
  private readonly words = new Uint32Array(BLOCK_WORDS);
  private position = BLOCK_WORDS;

  protected abstract refill(words: Uint32Array): void;

  nextUint32(): number {
    if (this.position === BLOCK_WORDS) {
      this.refill(this.words);
      this.position = 0;
    }
    return this.words[this.position++]!;
  }

  uniformBelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new PrivacyParameterError(`uniformBelow needs an integer 1 ≤ n ≤ 2^53 - 1, got ${n}`);
    }
    if (n <= TWO_POW_32) {
      // Accept words below the largest multiple of n that fits in 32 bits.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      for (;;) {
        const word = this.nextUint32();
        if (word < limit) return word % n;
      }
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    for (;;) {
      // 21 high bits and 32 low bits: an exact integer in [0, 2^53).
      const value = (this.nextUint32() >>> 11) * TWO_POW_32 + this.nextUint32();
      if (value < limit) return value % n;
    }
  }

  uniformBelowBig(n: bigint): bigint {
    if (n < 1n) throw new PrivacyParameterError(`uniformBelowBig needs n ≥ 1, got ${n}`);
    if (n <= BigInt(Number.MAX_SAFE_INTEGER)) return BigInt(this.uniformBelow(Number(n)));
    const bits = n.toString(2).length;
    const words = Math.ceil(bits / 32);
    const excessBits = BigInt(words * 32 - bits);
    for (;;) {
      let value = 0n;
      for (let i = 0; i < words; i++) value = (value << 32n) | BigInt(this.nextUint32());
      // Drop the excess high bits so a draw is accepted with probability > 1/2.
      value >>= excessBits;
      if (value < n) return value;
    }
  }
}

class CryptoSource extends WordSource {
  readonly privateRandomness = true;
  readonly description = "node:crypto randomFillSync";
  protected refill(words: Uint32Array): void {
    randomFillSync(words);
  }
}

class SeededSource extends WordSource {
  readonly privateRandomness = false;
  readonly description: string;
  readonly testOnlyNoiseScaleFactor?: number;
  private readonly cipher;
  private readonly zeros = new Uint8Array(BLOCK_WORDS * 4);
  constructor(seed: string | number | bigint, options: SeededSourceOptions) {
    super();
    const factor = options.testOnlyNoiseScaleFactor;
    if (factor !== undefined) {
      if (!(factor > 0) || !Number.isFinite(factor)) throw new PrivacyParameterError(`testOnlyNoiseScaleFactor must be a finite number > 0, got ${factor}`);
      this.testOnlyNoiseScaleFactor = factor;
    }
    const bug = factor === undefined || factor === 1 ? "" : `, noise scale × ${factor} (planted bug)`;
    this.description = `seeded AES-256-CTR, seed ${String(seed)}${bug} (NOT private: for tests only)`;
    const key = createHash("sha256")
      .update(`datalab privacy seeded source\0${String(seed)}`)
      .digest();
    this.cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  }
  protected refill(words: Uint32Array): void {
    const stream = this.cipher.update(this.zeros);
    new Uint8Array(words.buffer, words.byteOffset, words.byteLength).set(stream);
  }
}

/** The source for private noise: node:crypto, buffered. */
export function createCryptoSource(): PrivacySource {
  return new CryptoSource();
}

/** A repeatable source for tests and demos. Its output is NOT private (`privateRandomness: false`). */
export function createSeededSource(seed: string | number | bigint, options: SeededSourceOptions = {}): PrivacySource {
  return new SeededSource(seed, options);
}
