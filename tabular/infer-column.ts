/**
 * Inference of one column's schema from its raw values. For text, the rules are asked in this
 * order (first match wins; tabular/README.md documents them for users):
 *   entirely null → numerical with no range (reproduced as null)
 *   every value a number → numerical (or id: integer key named like a key)
 *   two spellings of true/false → boolean
 *   one datetime format parses every value → datetime
 *   unique per row and named like a key, or UUID-shaped → id
 *   emails / phone numbers / person names (name column) → pii, action "fake"
 *   mostly-unique long text → pii "text", action "drop"
 *   otherwise categorical (with a warning when numbers and text are mixed)
 */
import {
  columnNameSaysKey,
  columnNameSaysPersonName,
  decimalsOfNumber,
  decimalsOfText,
  digitShape,
  idPatternOf,
  isEmail,
  isPersonName,
  isPhoneNumber,
  isUuid,
  parseNumberText,
} from "./column-shapes.js";
import { CANDIDATE_DATETIME_FORMATS, parseDatetime } from "./datetime-format.js";
import type { RawColumn, RawTextColumn } from "./raw-table.js";
import type { ColumnSchema, NumericalColumnSchema, PiiColumnSchema } from "./schema.js";
import { labelCounts, textDictionary } from "./text-dictionary.js";
import { formatNumber } from "./value-format.js";

/** Decimals kept on output are capped: beyond this, digits are float noise, not data. */
export const MAX_DECIMALS = 10;
/** Share of distinct values that must match a PII shape (tolerates a few typos or placeholders). */
const PII_MATCH_SHARE = 0.9;
/** Free text: at least this share of values distinct, and this mean length in characters. */
const FREE_TEXT_DISTINCT_SHARE = 0.9;
const FREE_TEXT_MEAN_LENGTH = 30;
/** A categorical with more distinct values than this share of its rows is mostly unique (warned). */
const MOSTLY_UNIQUE_SHARE = 0.5;
const MOSTLY_UNIQUE_MIN_ROWS = 20;
const BOOLEAN_PAIRS: readonly [string, string][] = [
  ["true", "false"],
  ["yes", "no"],
  ["y", "n"],
  ["t", "f"],
];

export interface ColumnInference {
  schema: ColumnSchema;
  warnings: string[];
}

export function inferColumn(raw: RawColumn, rowCount: number): ColumnInference {
  switch (raw.kind) {
    case "text":
      return inferTextColumn(raw, rowCount);
    case "boolean":
      return { schema: { name: raw.name, type: "boolean", trueLabel: "true", falseLabel: "false" }, warnings: [] };
    case "datetime":
      return { schema: { name: raw.name, type: "datetime", format: raw.format }, warnings: [] };
    case "number":
      return inferNumberColumn(raw.name, raw.values, rowCount);
  }
}

function emptyColumn(name: string): ColumnInference {
  return {
    schema: { name, type: "numerical", subtype: "float", decimals: 0, min: null, max: null },
    warnings: [`column "${name}" is entirely empty; it is kept and reproduced as empty.`],
  };
}

function inferNumberColumn(name: string, values: Float64Array, rowCount: number): ColumnInference {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let decimals = 0;
  let nonNull = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    nonNull++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (decimals < MAX_DECIMALS) decimals = Math.max(decimals, Math.min(MAX_DECIMALS, decimalsOfNumber(v)));
  }
  if (nonNull === 0) return emptyColumn(name);
  if (decimals === 0 && nonNull === rowCount && columnNameSaysKey(name) && new Set(values).size === rowCount && rowCount > 1) {
    return { schema: { name, type: "id", pattern: "integer" }, warnings: [] };
  }
  const schema: NumericalColumnSchema = { name, type: "numerical", subtype: decimals === 0 ? "integer" : "float", decimals, min, max };
  // Typed sources (Parquet, JSON) hand over doubles: digits past 2^53 were already lost in reading.
  const largest = Math.max(Math.abs(min), Math.abs(max));
  if (decimals === 0 && largest > Number.MAX_SAFE_INTEGER) {
    return {
      schema,
      warnings: [
        `column "${name}" has whole numbers beyond 2^53 (up to ${formatNumber(largest, "integer", 0)}), which were rounded to the nearest double when read; ` +
          "store them as strings in the file to keep every digit.",
      ],
    };
  }
  return { schema, warnings: [] };
}

function inferTextColumn(raw: RawTextColumn, rowCount: number): ColumnInference {
  const { name } = raw;
  // Work on distinct values: the reader hands text over dictionary-encoded.
  const dictionary = textDictionary(raw);
  const counts = labelCounts(dictionary);
  let nonNull = 0;
  const distinct: string[] = [];
  dictionary.labels.forEach((label, k) => {
    if (label === null || counts[k] === 0) return;
    nonNull += counts[k]!;
    distinct.push(label);
  });
  if (nonNull === 0) return emptyColumn(name);

  // Numbers: every distinct value parses.
  let numericDistinct = 0;
  let exampleNumber: string | undefined;
  let exampleText: string | undefined;
  for (const value of distinct) {
    if (Number.isNaN(parseNumberText(value))) exampleText ??= value;
    else {
      numericDistinct++;
      exampleNumber ??= value;
    }
  }
  if (numericDistinct === distinct.length) return inferNumericText(name, distinct, nonNull, rowCount);

  const booleanLabels = booleanLabelsOf(distinct);
  if (booleanLabels !== undefined) return { schema: { name, type: "boolean", ...booleanLabels }, warnings: [] };

  const format = datetimeFormatOf(distinct);
  if (format !== undefined) return { schema: { name, type: "datetime", format }, warnings: [] };

  const uniquePerRow = distinct.length === rowCount && nonNull === rowCount;
  if (uniquePerRow && rowCount > 1 && (columnNameSaysKey(name) || distinct.every(isUuid))) {
    return { schema: { name, type: "id", pattern: idPatternOf(distinct) }, warnings: [] };
  }

  const pii = piiOf(name, distinct, nonNull);
  if (pii !== undefined) return pii;

  const warnings: string[] = [];
  if (nonNull >= MOSTLY_UNIQUE_MIN_ROWS && distinct.length > MOSTLY_UNIQUE_SHARE * nonNull) {
    // Learned as categories, its real values would be copied into synthetic rows.
    warnings.push(
      `column "${name}" has ${distinct.length} distinct values in ${nonNull} rows; as a categorical its real values can reappear in the output. If it is a key, set "type": "id" in the schema; if personal, "type": "pii".`,
    );
  }
  if (numericDistinct > 0 && exampleNumber !== undefined && exampleText !== undefined) {
    warnings.push(
      `column "${name}" mixes numbers (e.g. ${JSON.stringify(exampleNumber)}) and text (e.g. ${JSON.stringify(exampleText)}); it is treated as categorical. Fix the values or set its type in the schema.`,
    );
  }
  return { schema: { name, type: "categorical" }, warnings };
}

function inferNumericText(name: string, distinct: string[], nonNull: number, rowCount: number): ColumnInference {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let decimals = 0;
  let whole = true;
  let inexact: string | undefined;
  for (const text of distinct) {
    const value = parseNumberText(text);
    if (value < min) min = value;
    if (value > max) max = value;
    decimals = Math.max(decimals, Math.min(MAX_DECIMALS, decimalsOfText(text)));
    if (!Number.isInteger(value)) whole = false;
    if (inexact === undefined && Math.abs(value) > Number.MAX_SAFE_INTEGER && /^[+-]?\d+$/.test(text.trim())) inexact = text.trim();
  }
  const integer = whole && decimals === 0;
  if (integer && inexact !== undefined) return bigIntegerColumn(name, distinct, nonNull, rowCount, inexact);
  if (integer && distinct.length === rowCount && nonNull === rowCount && rowCount > 1 && columnNameSaysKey(name)) {
    return { schema: { name, type: "id", pattern: "integer" }, warnings: [] };
  }
  return { schema: { name, type: "numerical", subtype: integer ? "integer" : "float", decimals, min, max }, warnings: [] };
}

/**
 * Whole numbers past 2^53 have no exact double: read as numbers, sixty distinct 10^30 + i values
 * became one 1e+30. They are identifiers in practice (account numbers, hashes, snowflake ids), so
 * they stay text: an id column when every row has its own value, else categorical labels, and a
 * warning says why the column is not numerical.
 */
function bigIntegerColumn(name: string, distinct: string[], nonNull: number, rowCount: number, example: string): ColumnInference {
  if (distinct.length === rowCount && nonNull === rowCount && rowCount > 1) {
    return { schema: { name, type: "id", pattern: idPatternOf(distinct) }, warnings: [] };
  }
  return {
    schema: { name, type: "categorical" },
    warnings: [
      `column "${name}" holds whole numbers beyond 2^53 (e.g. ${example}) that no double holds exactly; it is kept as text labels (categorical) ` +
        "so no digit changes. Set its type in the schema if you want numbers (they would be rounded).",
    ],
  };
}

/** The input's own spellings when the distinct values are (a subset of) one true/false pair. */
function booleanLabelsOf(distinct: string[]): { trueLabel: string; falseLabel: string } | undefined {
  if (distinct.length > 2) return undefined;
  const lower = distinct.map((v) => v.trim().toLowerCase());
  for (const [t, f] of BOOLEAN_PAIRS) {
    if (!lower.every((v) => v === t || v === f)) continue;
    const trueSeen = distinct[lower.indexOf(t)];
    const falseSeen = distinct[lower.indexOf(f)];
    // Spell the unseen label like the seen one (`Yes` → `No`, `TRUE` → `FALSE`).
    const styleOf = (seen: string | undefined, other: string) =>
      seen === undefined
        ? other
        : seen === seen.toUpperCase()
          ? other.toUpperCase()
          : seen[0] === seen[0]!.toUpperCase()
            ? other[0]!.toUpperCase() + other.slice(1)
            : other;
    return { trueLabel: trueSeen?.trim() ?? styleOf(falseSeen, t), falseLabel: falseSeen?.trim() ?? styleOf(trueSeen, f) };
  }
  return undefined;
}

/** The first candidate format under which every distinct value parses. */
function datetimeFormatOf(distinct: string[]): string | undefined {
  const first = distinct[0];
  if (first === undefined || !/\d/.test(first)) return undefined;
  for (const format of CANDIDATE_DATETIME_FORMATS) {
    if (Number.isNaN(parseDatetime(first, format))) continue;
    if (distinct.every((value) => !Number.isNaN(parseDatetime(value, format)))) return format;
  }
  return undefined;
}

function share(distinct: string[], test: (value: string) => boolean): number {
  let hits = 0;
  for (const value of distinct) if (test(value)) hits++;
  return hits / distinct.length;
}

function piiOf(name: string, distinct: string[], nonNull: number): ColumnInference | undefined {
  const found = (kind: PiiColumnSchema["kind"], what: string, extra: Partial<PiiColumnSchema> = {}): ColumnInference => ({
    schema: { name, type: "pii", kind, action: "fake", ...extra },
    warnings: [`column "${name}" looks like ${what}; it is not learned and is replaced by fake ${what} (set "action": "drop" in the schema to leave it out).`],
  });
  if (share(distinct, isEmail) >= PII_MATCH_SHARE) return found("email", "email addresses");
  if (share(distinct, isPhoneNumber) >= PII_MATCH_SHARE) return found("phone", "phone numbers", { shape: mostCommonShape(distinct.filter(isPhoneNumber)) });
  if (columnNameSaysPersonName(name) && share(distinct, isPersonName) >= PII_MATCH_SHARE) return found("name", "person names");
  const meanLength = distinct.reduce((sum, v) => sum + v.length, 0) / distinct.length;
  if (distinct.length >= FREE_TEXT_DISTINCT_SHARE * nonNull && nonNull >= 2 && meanLength >= FREE_TEXT_MEAN_LENGTH && distinct.some((v) => /\s/.test(v))) {
    return {
      schema: { name, type: "pii", kind: "text", action: "drop" },
      warnings: [
        `column "${name}" looks like free text (mostly unique, ${Math.round(meanLength)} characters on average); it may hold personal data and is left out of the output (set its type in the schema to keep it).`,
      ],
    };
  }
  return undefined;
}

function mostCommonShape(values: string[]): string {
  const shapes = new Map<string, number>();
  for (const value of values) {
    const shape = digitShape(value);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  let best = "";
  let bestCount = 0;
  for (const [shape, count] of shapes) if (count > bestCount) [best, bestCount] = [shape, count];
  return best;
}
