/**
 * Kendall's τ from a contingency table of ordinal codes, and its sensitivity.
 *
 * S = C − D (concordant minus discordant pairs) over the rows of a 2-way table T (kx × ky, rows
 * and columns in increasing order): S = Σ_{a,b} T[a,b] · (Σ_{a'>a, b'>b} T − Σ_{a'>a, b'<b} T),
 * O(kx·ky) with suffix sums instead of O(n²) over rows. Tied pairs count 0, so τ_a = S / N with
 * N = n(n − 1)/2 (Kendall 1938).
 *
 * Sensitivity (replace one row, n fixed): the replaced row is in n − 1 pairs and each pair's sign
 * term moves by at most 2 (from +1 to −1), so |ΔS| ≤ 2(n − 1) and |Δτ_a| ≤ 2(n − 1)/N = 4/n —
 * the bound DPCopula uses (Li, Xiong & Jiang 2014, "DPCopula: Differentially private data release
 * via copula functions", EDBT, Lemma 4.1). For P pairs released together the L2 sensitivity of the
 * vector of S values is 2(n − 1)√P.
 */

/** C − D of a row-major kx × ky count table. */
export function concordanceFromTable(table: Float64Array, kx: number, ky: number): number {
  // below[a][b] = Σ_{a' > a} T[a', b] accumulated as we walk a downwards; prefix over b gives both sums.
  const rowsBelow = new Float64Array(ky);
  let s = 0;
  for (let a = kx - 1; a >= 0; a--) {
    // prefix[b] = Σ_{b' < b} rowsBelow[b'], total = Σ rowsBelow.
    let prefix = 0;
    let total = 0;
    for (let b = 0; b < ky; b++) total += rowsBelow[b]!;
    for (let b = 0; b < ky; b++) {
      const count = table[a * ky + b]!;
      const greater = total - prefix - rowsBelow[b]!;
      if (count !== 0) s += count * (greater - prefix);
      prefix += rowsBelow[b]!;
    }
    for (let b = 0; b < ky; b++) rowsBelow[b] = rowsBelow[b]! + table[a * ky + b]!;
  }
  return s;
}

/** Σ c(c − 1)/2 over cell counts: the pairs tied on one variable (for τ_b). */
export function tiedPairs(counts: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < counts.length; i++) t += (counts[i]! * (counts[i]! - 1)) / 2;
  return t;
}

/** L2 sensitivity of the vector of P concordance sums under replacing one of n rows. */
export function concordanceSensitivity(rows: number, pairs: number): number {
  return 2 * Math.max(1, rows - 1) * Math.sqrt(pairs);
}

/**
 * Latent Gaussian correlation from τ: ρ = sin(πτ/2) (Kruskal 1958; exact for a bivariate normal),
 * with τ_b = S / √((N − T_x)(N − T_y)) correcting for the ties that binning creates.
 */
export function correlationFromConcordance(s: number, rows: number, tiesX: number, tiesY: number): number {
  const n = (rows * (rows - 1)) / 2;
  const denominator = Math.sqrt(Math.max(1, n - tiesX) * Math.max(1, n - tiesY));
  const tau = Math.max(-1, Math.min(1, s / denominator));
  return Math.sin((Math.PI * tau) / 2);
}
