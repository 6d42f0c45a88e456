/**
 * id and personal-data columns are never learned: sampled rows get fresh values keyed by
 * (seed, global row index), so they are deterministic and chunk-size independent.
 * - id: unique keys of the schema's shape (`integer` → 1, 2, 3, …; `PREFIX-{digits:6}` →
 *   PREFIX-000001, …), offset by the row index so every row of one output is distinct;
 * - pii with action "fake": format-preserving fakes (emails, phones, names, text) drawn from
 *   a small built-in vocabulary by a hash of (seed, row) — nothing from the training data;
 * - pii with action "drop": null (the writer leaves the column out).
 */
import type { IdColumnSchema, PiiColumnSchema } from "../tabular/schema.js";

const FIRST_NAMES = ["Alex", "Sam", "Robin", "Kim", "Jordan", "Noor", "Mika", "Lena", "Ivo", "Ana", "Tariq", "Mei", "Jonas", "Eva", "Omar", "Sofia"];
const LAST_NAMES = ["Berg", "Novak", "Rossi", "Smith", "Kowalski", "Dubois", "Silva", "Jansen", "Costa", "Weber", "Horvat", "Nagy", "Moreau", "Lind", "Ortega", "Brun"];
const WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "data", "synthetic", "record", "value", "sample", "note", "entry"];

/** A 32-bit mix of (seed, row, salt) — splitmix-style finalizer; enough to pick fake tokens. */
function mix(seed: bigint, row: number, salt: number): number {
  let h = (Number(seed & 0xffffffffn) ^ Math.imul(row + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function pick<T>(list: readonly T[], hash: number): T {
  return list[hash % list.length]!;
}

function idValue(pattern: string, index: number): string {
  if (pattern === "integer") return String(index + 1);
  const replaced = pattern.replace(/\{digits:(\d+)\}/g, (_, width: string) => String(index + 1).padStart(Number(width), "0"));
  return replaced === pattern ? `${pattern}${index + 1}` : replaced;
}

function fakeValue(kind: PiiColumnSchema["kind"], seed: bigint, row: number): string {
  const h1 = mix(seed, row, 1);
  const h2 = mix(seed, row, 2);
  const first = pick(FIRST_NAMES, h1);
  const last = pick(LAST_NAMES, h2);
  switch (kind) {
    case "email":
      return `${first.toLowerCase()}.${last.toLowerCase()}${h1 % 1000}@example.com`;
    case "phone":
      return `+1-555-${String(h1 % 1000).padStart(3, "0")}-${String(h2 % 10000).padStart(4, "0")}`;
    case "name":
      return `${first} ${last}`;
    case "text":
      return `${pick(WORDS, h1)} ${pick(WORDS, h2)} ${pick(WORDS, mix(seed, row, 3))}`;
  }
}

export function synthesizeTextColumn(schema: IdColumnSchema | PiiColumnSchema, seed: bigint, startRow: number, rows: number): (string | null)[] {
  const out = new Array<string | null>(rows);
  for (let r = 0; r < rows; r++) {
    const row = startRow + r;
    if (schema.type === "id") out[r] = idValue(schema.pattern, row);
    else out[r] = schema.action === "drop" ? null : fakeValue(schema.kind, seed, row);
  }
  return out;
}
