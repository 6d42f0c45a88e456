/**
 * Inline SVG charts for the HTML report (no scripts, no CDN): paired bars of real vs synthetic
 * shares, an association heat map, and a two-series histogram. Every label is escaped.
 */

export const REAL_COLOR = "#1f5fa8";
export const SYNTHETIC_COLOR = "#e0812b";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** A share as a percentage label; "n/a" (never "NaN%") when it could not be computed. */
function percentLabel(x: number | undefined, digits: number): string {
  return x !== undefined && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "n/a";
}

function shortNumber(x: number): string {
  if (!Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a >= 1e6 || (a > 0 && a < 1e-3)) return x.toExponential(1);
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

/** Side-by-side bars of two share series over the same buckets. */
export function pairedBars(
  labels: string[],
  real: number[],
  synthetic: number[],
  options: { width?: number; height?: number; rotateLabels?: boolean } = {},
): string {
  const width = options.width ?? 420;
  const height = options.height ?? 200;
  const bottom = options.rotateLabels ? 70 : 30;
  const left = 40;
  const plotW = width - left - 8;
  const plotH = height - bottom - 10;
  const max = Math.max(1e-9, ...real, ...synthetic);
  const slot = plotW / Math.max(labels.length, 1);
  const barW = Math.max(1, slot * 0.4);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img">`];
  parts.push(`<line x1="${left}" y1="${10 + plotH}" x2="${width - 8}" y2="${10 + plotH}" stroke="#888"/>`);
  parts.push(`<text x="${left - 4}" y="16" font-size="10" text-anchor="end">${percentLabel(max, 0)}</text>`);
  labels.forEach((label, k) => {
    const x = left + k * slot + slot * 0.1;
    const hr = (real[k]! / max) * plotH;
    const hs = (synthetic[k]! / max) * plotH;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(10 + plotH - hr).toFixed(1)}" width="${barW.toFixed(1)}" height="${hr.toFixed(1)}" fill="${REAL_COLOR}"><title>${escapeHtml(label)} real ${percentLabel(real[k], 1)}</title></rect>`,
    );
    parts.push(
      `<rect x="${(x + barW).toFixed(1)}" y="${(10 + plotH - hs).toFixed(1)}" width="${barW.toFixed(1)}" height="${hs.toFixed(1)}" fill="${SYNTHETIC_COLOR}"><title>${escapeHtml(label)} synthetic ${percentLabel(synthetic[k], 1)}</title></rect>`,
    );
    const every = Math.ceil(labels.length / 10);
    if (options.rotateLabels || k % every === 0) {
      const tx = x + barW;
      const ty = 10 + plotH + 12;
      const text = escapeHtml(label.length > 14 ? `${label.slice(0, 13)}…` : label);
      parts.push(
        options.rotateLabels
          ? `<text x="${tx.toFixed(1)}" y="${ty}" font-size="9" transform="rotate(40 ${tx.toFixed(1)} ${ty})">${text}</text>`
          : `<text x="${tx.toFixed(1)}" y="${ty}" font-size="9" text-anchor="middle">${text}</text>`,
      );
    }
  });
  parts.push("</svg>");
  return parts.join("");
}

export function histogramLabels(edges: number[], format: (x: number) => string = shortNumber): string[] {
  return edges.slice(0, -1).map((e) => format(e));
}

/** Colour for a value in [−1, 1]: blue for positive, red for negative, white at 0. */
function heatColor(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "#eeeeee";
  const v = Math.max(-1, Math.min(1, value));
  const t = Math.abs(v);
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return v >= 0 ? `rgb(${mix(255, 31)},${mix(255, 95)},${mix(255, 168)})` : `rgb(${mix(255, 200)},${mix(255, 40)},${mix(255, 40)})`;
}

/** A symmetric matrix as a heat map with the value in each cell. */
export function heatMap(names: string[], value: (i: number, j: number) => number | null, title: string): string {
  const cell = Math.max(18, Math.min(40, Math.floor(360 / Math.max(names.length, 1))));
  const left = 110;
  const top = 24;
  const size = names.length * cell;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + size + 70}" height="${top + size + 110}" role="img">`];
  parts.push(`<text x="${left}" y="14" font-size="12" font-weight="bold">${escapeHtml(title)}</text>`);
  names.forEach((name, i) => {
    const short = escapeHtml(name.length > 16 ? `${name.slice(0, 15)}…` : name);
    parts.push(`<text x="${left - 4}" y="${top + i * cell + cell * 0.65}" font-size="9" text-anchor="end">${short}</text>`);
    const tx = left + i * cell + cell / 2;
    const ty = top + size + 8;
    parts.push(`<text x="${tx}" y="${ty}" font-size="9" transform="rotate(50 ${tx} ${ty})">${short}</text>`);
    names.forEach((_, j) => {
      const v = i === j ? 1 : value(i, j);
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${heatColor(v)}" stroke="#fff"><title>${escapeHtml(names[i]!)} × ${escapeHtml(names[j]!)}: ${v === null ? "n/a" : v.toFixed(3)}</title></rect>`,
      );
      if (cell >= 24 && v !== null)
        parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell * 0.62}" font-size="8" text-anchor="middle">${v.toFixed(2)}</text>`);
    });
  });
  parts.push("</svg>");
  return parts.join("");
}
