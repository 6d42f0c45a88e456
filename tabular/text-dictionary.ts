/**
 * Every raw column seen as distinct text values + per-row codes, so that typing and inference
 * parse each distinct value once (a 1M-row column of 300 distinct labels costs 300 parses and a
 * pass over an Int32Array). Readers hand text over dictionary-encoded already; other columns
 * (typed numbers read as categories, hand-built raw tables) are encoded here.
 */
import { formatDatetime } from "./datetime-format.js";
import type { RawColumn } from "./raw-table.js";

export interface TextDictionary {
  /** Distinct entries; null entries are missing values. */
  labels: (string | null)[];
  /** Per row: index into `labels`, or -1 for missing. */
  codes: Int32Array;
}

/** The text form of each raw value (null when missing). */
export function rawTexts(raw: RawColumn): (string | null)[] {
  switch (raw.kind) {
    case "text":
      return raw.values;
    case "boolean":
      return raw.values.map((v) => (v === null ? null : String(v)));
    case "number":
      return Array.from(raw.values, (v) => (Number.isNaN(v) ? null : String(v)));
    case "datetime":
      return Array.from(raw.values, (v) => (Number.isNaN(v) ? null : formatDatetime(v, raw.format)));
  }
}

/** The column's dictionary; built once for a text column and kept on it (inference, then typing). */
export function textDictionary(raw: RawColumn): TextDictionary {
  if (raw.kind === "text" && raw.dictionary !== undefined && raw.codes !== undefined) return { labels: raw.dictionary, codes: raw.codes };
  const built = buildDictionary(raw);
  if (raw.kind === "text") {
    raw.dictionary = built.labels;
    raw.codes = built.codes;
  }
  return built;
}

function buildDictionary(raw: RawColumn): TextDictionary {
  const texts = rawTexts(raw);
  const index = new Map<string, number>();
  const labels: string[] = [];
  const codes = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (text === null || text === undefined) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(text);
    if (code === undefined) {
      code = labels.length;
      index.set(text, code);
      labels.push(text);
    }
    codes[i] = code;
  }
  return { labels, codes };
}

/** Rows per dictionary entry. */
export function labelCounts(dictionary: TextDictionary): Int32Array {
  const counts = new Int32Array(dictionary.labels.length);
  for (const code of dictionary.codes) if (code >= 0) counts[code]!++;
  return counts;
}

/** Maps each entry through `convert` once and spreads the results over the rows (`missing` for -1). */
export function mapDictionary(
  dictionary: TextDictionary,
  convert: (label: string) => number,
  missing: number,
): { perLabel: Float64Array; perRow: Float64Array } {
  const perLabel = Float64Array.from(dictionary.labels, (label) => (label === null ? missing : convert(label)));
  const perRow = new Float64Array(dictionary.codes.length);
  for (let i = 0; i < perRow.length; i++) {
    const code = dictionary.codes[i]!;
    perRow[i] = code < 0 ? missing : perLabel[code]!;
  }
  return { perLabel, perRow };
}
