/**
 * Column Shapes, SDMetrics' definitions (sdmetrics.single_column.statistical):
 * - KSComplement = 1 − D, D the two-sample Kolmogorov–Smirnov statistic of the non-null values
 *   (datetimes as numbers; values rounded to 14 decimals first, as SDMetrics does).
 * - TVComplement = 1 − ½ Σ_ω |S_ω − R_ω| over the non-null categories. A category seen only in
 *   the synthetic column gets a real count of 1e−6 (SDMetrics' `get_frequencies` regularization),
 *   which also enters the real total.
 * Both give NaN when either side has no non-null value (SDMetrics then leaves the column out of
 * the average).
 */

/** Non-null values, rounded like SDMetrics' `round(MAX_DECIMALS=14)`, sorted ascending. */
export function sortedNonNull(values: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) count++;
  const out = new Float64Array(count);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    // numpy's round: rint(v·1e14)/1e14; beyond 2^53 the product is already an integer.
    const scaled = v * 1e14;
    out[j++] = Math.abs(scaled) < 9007199254740992 ? Math.round(scaled) / 1e14 : v;
  }
  return sortFloat64(out);
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Ascending sort of NaN-free float64 values: an LSD radix sort (four 16-bit passes over the
 * IEEE-754 bits mapped to unsigned order: negatives inverted, positives with the sign bit set),
 * ~5× faster than `Float64Array.prototype.sort` on 1M values. Small arrays use the built-in.
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 4096 || !LITTLE_ENDIAN) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!;
    const l = words[2 * i]!;
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(key[i]! >>> shift) & 0xffff]! += 1;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(key[i]! >>> shift) & 0xffff]!++;
      lo2[at] = lo[i]!;
      hi2[at] = hi[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    if (h & 0x80000000) {
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      words[2 * i] = lo[i]!;
    } else {
      words[2 * i + 1] = ~h >>> 0;
      words[2 * i] = ~lo[i]! >>> 0;
    }
  }
  return values;
}

/** The two-sample KS statistic sup_x |F_a(x) − F_b(x)| of two ascending samples (exact, ties handled). */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < n && a[i]! <= x) i++;
    while (j < m && b[j]! <= x) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  return d;
}

export function ksComplement(real: Float64Array, synthetic: Float64Array): number {
  const d = ksStatisticSorted(sortedNonNull(real), sortedNonNull(synthetic));
  return Number.isNaN(d) ? Number.NaN : 1 - d;
}

/** Counts of codes 0…labelCount−1 (−1 = missing is skipped). */
export function countCodes(codes: Int32Array, labelCount: number): Float64Array {
  const counts = new Float64Array(labelCount);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0) counts[c]! += 1;
  }
  return counts;
}

/** TVComplement of two coded columns sharing one label space of `labelCount` labels. */
export function tvComplement(real: Int32Array, synthetic: Int32Array, labelCount: number): number {
  const realCounts = countCodes(real, labelCount);
  const syntheticCounts = countCodes(synthetic, labelCount);
  let realNonNull = 0;
  for (let k = 0; k < labelCount; k++) realNonNull += realCounts[k]!;
  if (realNonNull === 0) return Number.NaN;
  let realTotal = 0;
  let syntheticTotal = 0;
  for (let k = 0; k < labelCount; k++) {
    syntheticTotal += syntheticCounts[k]!;
    // A synthetic-only label: real count 1e−6, as in SDMetrics' get_frequencies.
    if (realCounts[k] === 0 && syntheticCounts[k]! > 0) realCounts[k] = 1e-6;
    realTotal += realCounts[k]!;
  }
  if (realTotal === 0 || syntheticTotal === 0) return Number.NaN;
  let variation = 0;
  for (let k = 0; k < labelCount; k++) {
    variation += Math.abs(syntheticCounts[k]! / syntheticTotal - realCounts[k]! / realTotal);
  }
  return 1 - 0.5 * variation;
}
