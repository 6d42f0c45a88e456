/**
 * strftime-style parsing and formatting of datetimes, in UTC, at millisecond precision.
 *
 * Directives: `%Y` year (4 digits), `%y` year (2 digits: 69–99 → 19xx, 00–68 → 20xx, as POSIX),
 * `%m` month, `%d` day, `%H` hour (24h), `%I` hour (12h) with `%p` (AM/PM), `%M` minute,
 * `%S` second, `%f` fraction of a second (1–9 digits read; written as 3 digits, milliseconds),
 * `%b`/`%B` month name (abbreviated/full, English), `%z` UTC offset (`Z`, `+HH:MM`, `+HHMM`;
 * written as `+0000`), `%j` day of year, `%%` a percent sign. Anything else is literal text.
 * Numbers parse with or without leading zeros and are written zero-padded.
 */

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MONTH_ABBR = MONTHS.map((m) => m.slice(0, 3));
const MS_PER_DAY = 86_400_000;

type Field = "Y" | "y" | "m" | "d" | "H" | "I" | "M" | "S" | "f" | "p" | "b" | "B" | "z" | "j";

interface CompiledFormat {
  regex: RegExp;
  fields: Field[];
  /** Format pieces: literal strings and directive letters. */
  pieces: ({ literal: string } | { field: Field })[];
}

const FIELD_PATTERNS: Record<Field, string> = {
  Y: "([+-]?\\d{4})",
  y: "(\\d{2})",
  m: "(\\d{1,2})",
  d: "(\\d{1,2})",
  H: "(\\d{1,2})",
  I: "(\\d{1,2})",
  M: "(\\d{1,2})",
  S: "(\\d{1,2})",
  f: "(\\d{1,9})",
  p: "(am|pm|a\\.m\\.|p\\.m\\.)",
  b: `(${MONTH_ABBR.join("|")})`,
  B: `(${MONTHS.join("|")})`,
  z: "(z|[+-]\\d{2}:?\\d{2})",
  j: "(\\d{1,3})",
};

const cache = new Map<string, CompiledFormat>();

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compile(format: string): CompiledFormat {
  const cached = cache.get(format);
  if (cached !== undefined) return cached;
  const fields: Field[] = [];
  const pieces: CompiledFormat["pieces"] = [];
  let pattern = "^";
  let literal = "";
  const flushLiteral = () => {
    if (literal === "") return;
    pattern += escapeRegex(literal);
    pieces.push({ literal });
    literal = "";
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    const next = format[i + 1];
    if (ch === "%" && next !== undefined) {
      i++;
      if (next === "%") {
        literal += "%";
        continue;
      }
      if (next === "T") {
        // %T is %H:%M:%S
        flushLiteral();
        for (const [k, f] of (["H", "M", "S"] as const).entries()) {
          if (k > 0) {
            pattern += ":";
            pieces.push({ literal: ":" });
          }
          pattern += FIELD_PATTERNS[f];
          fields.push(f);
          pieces.push({ field: f });
        }
        continue;
      }
      if (next in FIELD_PATTERNS) {
        flushLiteral();
        const field = next as Field;
        pattern += FIELD_PATTERNS[field];
        fields.push(field);
        pieces.push({ field });
        continue;
      }
      literal += ch + next;
      continue;
    }
    literal += ch;
  }
  flushLiteral();
  const compiled: CompiledFormat = { regex: new RegExp(`${pattern}$`, "i"), fields, pieces };
  cache.set(format, compiled);
  return compiled;
}

/** Directive letters this module reads and writes (see the list at the top). */
const KNOWN_DIRECTIVES = new Set([...Object.keys(FIELD_PATTERNS), "T", "%"]);

/**
 * The directives of `format` this module does not know (`%q`, `%a`, a lone trailing `%`), in
 * order of appearance; empty when every one is known. Parsing would read them as literal text,
 * so no value would match and the whole column would silently become missing.
 */
export function unknownDatetimeDirectives(format: string): string[] {
  const unknown: string[] = [];
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== "%") continue;
    const next = format[i + 1];
    if (next === undefined || !KNOWN_DIRECTIVES.has(next)) unknown.push(`%${next ?? ""}`);
    i++;
  }
  return unknown;
}

/** The directives `unknownDatetimeDirectives` accepts, for messages. */
export const DATETIME_DIRECTIVES = "%Y %y %m %d %H %I %p %M %S %f %b %B %z %j %T %%";

/** Whether a format has a time-of-day part (hours, minutes, seconds or fractions). */
export function formatHasTime(format: string): boolean {
  return compile(format).fields.some((f) => f === "H" || f === "I" || f === "M" || f === "S" || f === "f");
}

/** Milliseconds since the epoch (UTC) of `text` read with `format`, or NaN when it does not parse. */
export function parseDatetime(text: string, format: string): number {
  const { regex, fields } = compile(format);
  const match = regex.exec(text.trim());
  if (match === null) return Number.NaN;
  let year = 1970;
  let month = 1;
  let day = 1;
  let dayOfYear = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let pm: boolean | null = null;
  let hour12 = -1;
  let offsetMinutes = 0;
  for (let k = 0; k < fields.length; k++) {
    const raw = match[k + 1]!;
    switch (fields[k]!) {
      case "Y":
        year = Number(raw);
        break;
      case "y": {
        const yy = Number(raw);
        year = yy < 69 ? 2000 + yy : 1900 + yy;
        break;
      }
      case "m":
        month = Number(raw);
        break;
      case "d":
        day = Number(raw);
        break;
      case "j":
        dayOfYear = Number(raw);
        break;
      case "H":
        hour = Number(raw);
        break;
      case "I":
        hour12 = Number(raw);
        break;
      case "M":
        minute = Number(raw);
        break;
      case "S":
        second = Number(raw);
        break;
      case "f":
        ms = Math.round(Number(`0.${raw}`) * 1000);
        break;
      case "p":
        pm = raw[0]!.toLowerCase() === "p";
        break;
      case "b":
        month = MONTH_ABBR.indexOf(raw.toLowerCase()) + 1;
        break;
      case "B":
        month = MONTHS.indexOf(raw.toLowerCase()) + 1;
        break;
      case "z": {
        if (raw.toLowerCase() === "z") break;
        const sign = raw[0] === "-" ? -1 : 1;
        const digits = raw.slice(1).replace(":", "");
        offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
        break;
      }
    }
  }
  if (hour12 >= 0) {
    if (hour12 < 1 || hour12 > 12) return Number.NaN;
    hour = (hour12 % 12) + (pm === true ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  let epochMs: number;
  if (dayOfYear >= 0) {
    if (dayOfYear < 1 || dayOfYear > 366) return Number.NaN;
    epochMs = Date.UTC(year, 0, 1) + (dayOfYear - 1) * MS_PER_DAY;
    if (new Date(epochMs).getUTCFullYear() !== year) return Number.NaN;
    epochMs += ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  } else {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, ms);
    // Reject days that do not exist (Feb 30 rolls over to March in Date).
    if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return Number.NaN;
    epochMs = date.getTime();
  }
  return epochMs - offsetMinutes * 60_000;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** `epochMs` written with `format` in UTC; empty string for NaN. */
export function formatDatetime(epochMs: number, format: string): string {
  if (!Number.isFinite(epochMs)) return "";
  const { pieces } = compile(format);
  const date = new Date(Math.round(epochMs));
  let out = "";
  for (const piece of pieces) {
    if ("literal" in piece) {
      out += piece.literal;
      continue;
    }
    switch (piece.field) {
      case "Y": {
        const y = date.getUTCFullYear();
        out += y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
        break;
      }
      case "y":
        out += pad(((date.getUTCFullYear() % 100) + 100) % 100, 2);
        break;
      case "m":
        out += pad(date.getUTCMonth() + 1, 2);
        break;
      case "d":
        out += pad(date.getUTCDate(), 2);
        break;
      case "j": {
        const start = Date.UTC(date.getUTCFullYear(), 0, 1);
        out += pad(Math.floor((date.getTime() - start) / MS_PER_DAY) + 1, 3);
        break;
      }
      case "H":
        out += pad(date.getUTCHours(), 2);
        break;
      case "I":
        out += pad(date.getUTCHours() % 12 === 0 ? 12 : date.getUTCHours() % 12, 2);
        break;
      case "M":
        out += pad(date.getUTCMinutes(), 2);
        break;
      case "S":
        out += pad(date.getUTCSeconds(), 2);
        break;
      case "f":
        out += pad(date.getUTCMilliseconds(), 3);
        break;
      case "p":
        out += date.getUTCHours() < 12 ? "AM" : "PM";
        break;
      case "b": {
        const name = MONTH_ABBR[date.getUTCMonth()]!;
        out += name[0]!.toUpperCase() + name.slice(1);
        break;
      }
      case "B": {
        const name = MONTHS[date.getUTCMonth()]!;
        out += name[0]!.toUpperCase() + name.slice(1);
        break;
      }
      case "z":
        out += "+0000";
        break;
    }
  }
  return out;
}

/**
 * Formats tried by inference, most specific first. A column is a datetime when one of them parses
 * every non-null value; the first that does is kept (so `%m/%d/%Y` wins over `%d/%m/%Y` when
 * both fit, as in the US convention; the user can override it in the schema file).
 */
export const CANDIDATE_DATETIME_FORMATS: readonly string[] = [
  "%Y-%m-%d",
  "%Y-%m-%dT%H:%M:%S",
  "%Y-%m-%dT%H:%M:%S.%f",
  "%Y-%m-%dT%H:%M:%SZ",
  "%Y-%m-%dT%H:%M:%S.%fZ",
  "%Y-%m-%dT%H:%M:%S%z",
  "%Y-%m-%dT%H:%M:%S.%f%z",
  "%Y-%m-%dT%H:%M",
  "%Y-%m-%d %H:%M:%S",
  "%Y-%m-%d %H:%M:%S.%f",
  "%Y-%m-%d %H:%M:%S%z",
  "%Y-%m-%d %H:%M",
  "%m/%d/%Y",
  "%m/%d/%Y %H:%M:%S",
  "%m/%d/%Y %H:%M",
  "%m/%d/%Y %I:%M:%S %p",
  "%m/%d/%Y %I:%M %p",
  "%d/%m/%Y",
  "%d/%m/%Y %H:%M:%S",
  "%d/%m/%Y %H:%M",
  "%d.%m.%Y",
  "%d.%m.%Y %H:%M:%S",
  "%d.%m.%Y %H:%M",
  "%Y/%m/%d",
  "%Y/%m/%d %H:%M:%S",
  "%Y/%m/%d %H:%M",
  "%d %b %Y",
  "%b %d %Y",
  "%b %d, %Y",
  "%d-%b-%Y",
];
