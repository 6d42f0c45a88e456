/**
 * New unique ids for synthetic rows, in the shape of the input's (IdColumnSchema.pattern):
 *   `integer`             → 1, 2, 3, … (the global row index + 1: unique, and obviously synthetic)
 *   `uuid`                → UUID v4 shape; 48 of its bits are a keyed bijection of the row index,
 *                           so ids never collide, the rest are pseudo-random from the seed
 *   text with placeholders → `{digits:N}` `{hex:N}` `{alnum:N}` `{upper:N}` `{lower:N}` filled with
 *                           the row index in mixed radix (last placeholder least significant),
 *                           each position shifted by a seeded offset; literal text kept as is.
 * Ids depend only on (seed, global row), so chunks sampled separately stay unique together. When
 * there are more rows than a pattern can hold, the first placeholder grows (still unique).
 */
import { SchemaError } from "./errors.js";
import { permute48, rowChoice, seedWords } from "./row-hash.js";
import type { IdColumnSchema, TableSchema } from "./schema.js";

const ALPHABETS: Record<string, string> = {
  digits: "0123456789",
  hex: "0123456789abcdef",
  alnum: "0123456789abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  lower: "abcdefghijklmnopqrstuvwxyz",
};

type PatternPart = { literal: string } | { alphabet: string; length: number };

/** Parses an id pattern; SchemaError naming the bad placeholder. */
export function parseIdPattern(pattern: string): PatternPart[] | "integer" | "uuid" {
  if (pattern === "integer" || pattern === "uuid") return pattern;
  const parts: PatternPart[] = [];
  const re = /\{([a-z]+):(\d+)\}/g;
  let last = 0;
  for (const match of pattern.matchAll(re)) {
    if (match.index > last) parts.push({ literal: pattern.slice(last, match.index) });
    const alphabet = ALPHABETS[match[1]!];
    const length = Number(match[2]);
    if (alphabet === undefined || length < 1 || length > 64) {
      throw new SchemaError(
        `id pattern ${JSON.stringify(pattern)}: bad placeholder ${match[0]}; use {digits:N}, {hex:N}, {alnum:N}, {upper:N} or {lower:N} with N from 1 to 64.`,
      );
    }
    parts.push({ alphabet, length });
    last = match.index + match[0].length;
  }
  if (last < pattern.length) parts.push({ literal: pattern.slice(last) });
  if (!parts.some((p) => "alphabet" in p)) {
    throw new SchemaError(
      `id pattern ${JSON.stringify(pattern)} has no placeholder, so ids could not be unique; use "integer", "uuid" or text with {digits:N} etc.`,
    );
  }
  return parts;
}

/** How many distinct ids a pattern holds at its written width (integer: unbounded; uuid: 2^48 keyed rows). */
export function idPatternCapacity(pattern: string): number {
  const parsed = parseIdPattern(pattern);
  if (parsed === "integer") return Number.POSITIVE_INFINITY;
  if (parsed === "uuid") return 2 ** 48;
  let capacity = 1;
  for (const part of parsed) if ("alphabet" in part) capacity *= part.alphabet.length ** part.length;
  return capacity;
}

/**
 * One warning per id column whose pattern holds fewer ids than `rows`: the ids stay unique, but
 * past that row the first placeholder grows a character, so they are longer than the pattern says.
 */
export function idCapacityWarnings(schema: TableSchema, rows: number): string[] {
  const warnings: string[] = [];
  for (const column of schema.columns) {
    if (column.type !== "id") continue;
    const capacity = idPatternCapacity(column.pattern);
    if (rows <= capacity) continue;
    warnings.push(
      `id column "${column.name}": the pattern ${column.pattern} holds ${capacity.toLocaleString("en-US")} distinct ids but ${rows.toLocaleString("en-US")} rows were sampled, ` +
        "so ids past that count are longer than the pattern (still unique); widen its placeholder in the schema to keep one width.",
    );
  }
  return warnings;
}

function uuidFor(row: number, seedLo: number, seedHi: number): string {
  const unique = permute48(row, seedLo, seedHi).toString(16).padStart(12, "0");
  const r1 = rowChoice(seedLo, seedHi, row, 1, 0x10000).toString(16).padStart(4, "0");
  const r2 = rowChoice(seedLo, seedHi, row, 2, 0x1000).toString(16).padStart(3, "0");
  const variant = (8 + rowChoice(seedLo, seedHi, row, 3, 4)).toString(16);
  const r3 = rowChoice(seedLo, seedHi, row, 4, 0x1000).toString(16).padStart(3, "0");
  const r4 = rowChoice(seedLo, seedHi, row, 5, 0x1000000).toString(16).padStart(6, "0");
  const r5 = rowChoice(seedLo, seedHi, row, 6, 0x1000000).toString(16).padStart(6, "0");
  // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: the 48 unique bits are the first 12 hex digits.
  return `${unique.slice(0, 8)}-${unique.slice(8, 12)}-4${r2}-${variant}${r3}-${r1}${r4}${r5.slice(0, 2)}`;
}

function patternIdFor(parts: PatternPart[], row: number, offsets: number[][]): string {
  // Fill placeholders right to left with the row index in mixed radix.
  let rest = row;
  const filled: string[] = new Array(parts.length);
  let firstPlaceholder = -1;
  for (let p = parts.length - 1; p >= 0; p--) {
    const part = parts[p]!;
    if ("literal" in part) {
      filled[p] = part.literal;
      continue;
    }
    firstPlaceholder = p;
    const radix = part.alphabet.length;
    const chars = new Array<string>(part.length);
    for (let k = part.length - 1; k >= 0; k--) {
      const digit = rest % radix;
      rest = Math.floor(rest / radix);
      chars[k] = part.alphabet[(digit + offsets[p]![k]!) % radix]!;
    }
    filled[p] = chars.join("");
  }
  if (rest > 0 && firstPlaceholder >= 0) {
    // More rows than the pattern holds: prepend the overflow to the first placeholder.
    const part = parts[firstPlaceholder] as { alphabet: string };
    let extra = "";
    while (rest > 0) {
      extra = part.alphabet[rest % part.alphabet.length]! + extra;
      rest = Math.floor(rest / part.alphabet.length);
    }
    filled[firstPlaceholder] = extra + filled[firstPlaceholder]!;
  }
  return filled.join("");
}

/** `count` ids for global rows [startRow, startRow + count), unique across all rows for one seed. */
export function makeIds(schema: IdColumnSchema, startRow: number, count: number, seed: bigint): string[] {
  const parsed = parseIdPattern(schema.pattern);
  const [seedLo, seedHi] = seedWords(seed);
  const out = new Array<string>(count);
  if (parsed === "integer") {
    for (let i = 0; i < count; i++) out[i] = String(startRow + i + 1);
    return out;
  }
  if (parsed === "uuid") {
    for (let i = 0; i < count; i++) out[i] = uuidFor(startRow + i, seedLo, seedHi);
    return out;
  }
  // A seeded offset per character position: ids do not read as a plain count from 000…0.
  const offsets = parsed.map((part, p) =>
    "literal" in part ? [] : Array.from({ length: part.length }, (_, k) => rowChoice(seedLo, seedHi, p * 64 + k, 7, part.alphabet.length)),
  );
  for (let i = 0; i < count; i++) out[i] = patternIdFor(parsed, startRow + i, offsets);
  return out;
}
