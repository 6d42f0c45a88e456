/**
 * Numbers as users read them. A score or share that could not be computed (NaN: a table without
 * the variation a metric needs; ±Infinity; a missing field) prints "n/a", never "NaN".
 */

/** `x` with `digits` decimals, or "n/a" when it is not a finite number. */
export function scoreText(x: number | null | undefined, digits = 3): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

/** A fraction in [0, 1] as a whole percentage ("42%"), or "n/a". */
export function percentText(fraction: number | null | undefined): string {
  return typeof fraction === "number" && Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : "n/a";
}
