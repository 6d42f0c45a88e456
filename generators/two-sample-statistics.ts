/**
 * Two-sample statistics used to check synthetic against real columns (tests and benchmarks):
 * the Kolmogorov–Smirnov distance and Spearman's rank correlation.
 */

/** Two-sample Kolmogorov–Smirnov statistic (sup distance between the empirical CDFs). */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** Spearman's rank correlation over rows where both are present (average ranks for ties). */
export function spearman(x: Float64Array, y: Float64Array): number {
  const keep: number[] = [];
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!) && !Number.isNaN(y[i]!)) keep.push(i);
  const rank = (v: Float64Array) => {
    const order = keep.slice().sort((p, q) => v[p]! - v[q]!);
    const r = new Float64Array(x.length);
    for (let s = 0; s < order.length; ) {
      let e = s;
      while (e + 1 < order.length && v[order[e + 1]!] === v[order[s]!]) e++;
      for (let k = s; k <= e; k++) r[order[k]!] = (s + e) / 2;
      s = e + 1;
    }
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  let mx = 0;
  let my = 0;
  for (const i of keep) {
    mx += rx[i]! / keep.length;
    my += ry[i]! / keep.length;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const i of keep) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}
