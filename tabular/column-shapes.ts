/**
 * Recognisers for what a text column holds: numbers, booleans, keys, and personal data (emails,
 * phone numbers, person names, free text). Each works on a column's distinct values; the order
 * in which inference asks them is in infer-column.ts and tabular/README.md.
 */

/** A decimal number as people write it: sign, digits, optional fraction and exponent. */
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Integers with a leading zero (`007`, `01234`) are codes (zip codes, ids), not numbers. */
const LEADING_ZERO_RE = /^[+-]?0\d/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[a-z]{2,}$/i;
const PHONE_RE = /^\+?[\d\s().\-/]+$/;
/** Person-name words: letters, apostrophes, hyphens, dots (`O'Neil`, `Anne-Marie`, `J.`), each capitalised. */
const PERSON_NAME_RE = /^\p{Lu}[\p{L}'’.-]*(\s+\p{Lu}[\p{L}'’.-]*){0,3}$/u;
/** Column names that say "person name". */
const NAME_COLUMN_RE = /^(full|first|last|given|family|middle|sur|maiden|person|customer|patient|contact|user)?[\s_-]?(name|names|surname|forename)$/i;
/** Column names that say "key": ends in id / _id / key / uuid / guid (also camelCase `userId`). */
const KEY_NAME_RE = /(^|[\s_.-])(id|key|uuid|guid|pk)$/i;
const CAMEL_KEY_NAME_RE = /[a-z0-9](Id|ID|Key|KEY|Uuid|UUID|Guid|GUID)$/;

export function parseNumberText(text: string): number {
  const trimmed = text.trim();
  if (!NUMBER_RE.test(trimmed) || LEADING_ZERO_RE.test(trimmed)) return Number.NaN;
  return Number(trimmed);
}

/** Digits after the decimal point as written (`"3.250"` → 3, `"1e-3"` → 3), for output precision. */
export function decimalsOfText(text: string): number {
  const trimmed = text.trim();
  const [mantissa = "", exponent] = trimmed.toLowerCase().split("e");
  const point = mantissa.indexOf(".");
  const fraction = point < 0 ? 0 : mantissa.length - point - 1;
  return Math.max(0, fraction - (exponent === undefined ? 0 : Number(exponent)));
}

/** Digits after the point in the shortest round-trip form of a double (`0.1` → 1, `2` → 0). */
export function decimalsOfNumber(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return 0;
  return decimalsOfText(String(value));
}

export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

export function isEmail(text: string): boolean {
  return EMAIL_RE.test(text.trim());
}

/** Digit groups with separators or a leading +, 7–15 digits (E.164 allows at most 15). */
export function isPhoneNumber(text: string): boolean {
  const trimmed = text.trim();
  if (!PHONE_RE.test(trimmed)) return false;
  const digits = trimmed.replace(/\D/g, "").length;
  if (digits < 7 || digits > 15) return false;
  return trimmed.startsWith("+") || /\d[\s().\-/]+\d/.test(trimmed);
}

export function isPersonName(text: string): boolean {
  return PERSON_NAME_RE.test(text.trim());
}

export function columnNameSaysPersonName(name: string): boolean {
  return NAME_COLUMN_RE.test(name.trim());
}

export function columnNameSaysKey(name: string): boolean {
  return KEY_NAME_RE.test(name.trim()) || CAMEL_KEY_NAME_RE.test(name.trim());
}

/** A value's shape with every digit as `#` (`+1 (555) 010-9999` → `+# (###) ###-####`). */
export function digitShape(text: string): string {
  return text.trim().replace(/\d/g, "#");
}

/**
 * The id pattern of a column's values (see IdColumnSchema): `uuid` when all are UUIDs,
 * `PREFIX{digits:N}` when all are one prefix + digits, else `{alnum:N}` (N the longest value).
 */
export function idPatternOf(values: readonly string[]): string {
  if (values.length > 0 && values.every(isUuid)) return "uuid";
  let prefix: string | undefined;
  let digits = 0;
  let samePrefix = values.length > 0;
  for (const value of values) {
    const match = /^(\D*?)(\d+)$/.exec(value);
    if (match === null || (prefix !== undefined && match[1] !== prefix)) {
      samePrefix = false;
      break;
    }
    prefix = match[1]!;
    digits = Math.max(digits, match[2]!.length);
  }
  if (samePrefix && prefix !== undefined && !/[{}]/.test(prefix)) return `${prefix}{digits:${digits}}`;
  const longest = values.reduce((max, v) => Math.max(max, v.length), 0);
  return `{alnum:${Math.max(8, longest)}}`;
}
