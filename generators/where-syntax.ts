/**
 * Parser of the `--where` language (documented in generators/README.md):
 *
 *     condition  := term ("," term)*
 *     term       := name op value
 *     op         := "=" | "!=" | ">" | ">=" | "<" | "<="
 *     name/value := bare text (trimmed) or a double-quoted string ("" inside is a quote)
 *
 * e.g. `sex=Female,age>40`, `"hours-per-week"<=20`, `native-country="Trinidad&Tobago"`,
 * `name="a,b"`. Only the syntax is checked here; `conditioning.ts` checks the terms against a model.
 */
import { ConditionError } from "./errors.js";

export type ConditionOperator = "=" | "!=" | ">" | ">=" | "<" | "<=";

export interface ConditionTerm {
  column: string;
  operator: ConditionOperator;
  value: string;
  /** The term as the user wrote it, for error messages. */
  text: string;
}

interface Token {
  kind: "text" | "quoted" | "operator" | "comma";
  value: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let bare = "";
  const flushBare = () => {
    if (bare.trim() !== "") tokens.push({ kind: "text", value: bare.trim() });
    bare = "";
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '"') {
      flushBare();
      let value = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new ConditionError(`unterminated quote in --where "${source}"; close every "…" (write "" for a quote inside).`);
        if (source[i] === '"') {
          if (source[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i];
        i++;
      }
      tokens.push({ kind: "quoted", value });
    } else if (ch === ",") {
      flushBare();
      tokens.push({ kind: "comma", value: "," });
      i++;
    } else if (ch === "!" || ch === "=" || ch === "<" || ch === ">") {
      flushBare();
      const two = source.slice(i, i + 2);
      if (two === "!=" || two === ">=" || two === "<=") {
        tokens.push({ kind: "operator", value: two });
        i += 2;
      } else if (ch === "!") {
        throw new ConditionError(`unexpected "!" in --where "${source}"; the operators are =, !=, >, >=, <, <=.`);
      } else {
        tokens.push({ kind: "operator", value: ch });
        i++;
      }
    } else {
      bare += ch;
      i++;
    }
  }
  flushBare();
  return tokens;
}

/** Splits a `--where` string into terms; throws ConditionError naming the malformed part. */
export function parseWhere(source: string): ConditionTerm[] {
  if (source.trim() === "") throw new ConditionError('--where is empty; give conditions like "sex=Female,age>40".');
  const tokens = tokenize(source);
  const terms: ConditionTerm[] = [];
  let start = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && tokens[i]!.kind !== "comma") continue;
    const part = tokens.slice(start, i);
    start = i + 1;
    const text = part.map((t) => (t.kind === "quoted" ? JSON.stringify(t.value) : t.value)).join("");
    const [name, operator, value, ...rest] = part;
    if (part.length === 0) throw new ConditionError(`empty condition in --where "${source}"; separate conditions with single commas.`);
    if (
      name === undefined ||
      operator === undefined ||
      value === undefined ||
      rest.length > 0 ||
      name.kind === "operator" ||
      operator.kind !== "operator" ||
      value.kind === "operator"
    ) {
      throw new ConditionError(
        `malformed condition "${text}" in --where; write column=value, column!=value, column>x, column>=x, column<x or column<=x (quote names or values containing , = < > ! with "…").`,
      );
    }
    terms.push({ column: name.value, operator: operator.value as ConditionOperator, value: value.value, text });
  }
  return terms;
}
