/**
 * Flag parsing for every command: node's own `parseArgs` in strict mode, with its errors turned
 * into one-line `CliError`s that name the bad flag and point at `--help`.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { CliError } from "./cli-error.js";

export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

/**
 * Thrown by parseFlags instead of returning while `checkCommandLine` (cli/main.ts) runs a command:
 * the command line is checked with the command's own flags and nothing else runs.
 */
export class ParsedOnly {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
  constructor(values: ParsedOnly["values"], positionals: string[]) {
    this.values = values;
    this.positionals = positionals;
  }
}

let parseOnly = false;

/** Runs `body` with parseFlags stopping every command right after parsing (see ParsedOnly). */
export async function withParseOnly<T>(body: () => Promise<T>): Promise<T> {
  parseOnly = true;
  try {
    return await body();
  } finally {
    parseOnly = false;
  }
}

/** A value that starts with a dash but is a number (`-5`, `-0.5`, `-1e3`), not an option. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--rows -5` → `--rows=-5` for string flags: node's parser would otherwise call `-5` an option and
 * answer "argument is ambiguous"; joined, the flag's own range check names the problem.
 */
function joinNegativeValues(argv: string[], options: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === "--") return [...out, ...argv.slice(i)];
    const option = arg.startsWith("--") ? options[arg.slice(2)] : undefined;
    if (option?.type === "string" && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function parseFlags<T extends FlagSpec>(command: string, argv: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new CliError(`${message}. Run \`datalab ${command} --help\` for the options.`, { cause: error });
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    throw new CliError(
      `expected ${positionals.names}, got ${count === 0 ? "nothing" : parsed.positionals.map((p) => JSON.stringify(p)).join(" ")}. Run \`datalab ${command} --help\`.`,
    );
  }
  if (parseOnly) throw new ParsedOnly(parsed.values as ParsedOnly["values"], parsed.positionals);
  return parsed;
}

/** Decimal digits with optional `_` separators and an optional decimal exponent (`1e6`, `2.5e3`). */
const DECIMAL_COUNT = /^\d+(_\d+)*(\.\d+)?([eE]\+?\d+)?$/;

/**
 * A whole number within bounds, or a CliError that names the flag. Accepts `1e6`, `1_000_000`,
 * `1000000`; refuses what `Number()` would also take but no one means as a count: `""` (0),
 * `0x10` (16), `0b1`, `Infinity`, leading/trailing blanks.
 */
export function parseCount(flag: string, text: string | undefined, fallback: number, bounds: { min: number; max: number }): number {
  if (text === undefined) return fallback;
  const value = DECIMAL_COUNT.test(text) ? Number(text.replaceAll("_", "")) : Number.NaN;
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new CliError(`--${flag} must be a whole number from ${bounds.min} to ${bounds.max}, got "${text}".`);
  }
  return value;
}
