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

export function parseFlags<T extends FlagSpec>(command: string, argv: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new CliError(`${message}. Run \`datalab ${command} --help\` for the options.`, { cause: error });
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    throw new CliError(`expected ${positionals.names}, got ${count === 0 ? "nothing" : parsed.positionals.map((p) => JSON.stringify(p)).join(" ")}. Run \`datalab ${command} --help\`.`);
  }
  if (parseOnly) throw new ParsedOnly(parsed.values as ParsedOnly["values"], parsed.positionals);
  return parsed;
}

/** A whole number within bounds, or a CliError that names the flag. Accepts `1e6`, `1_000_000`, `1000000`. */
export function parseCount(flag: string, text: string | undefined, fallback: number, bounds: { min: number; max: number }): number {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll("_", ""));
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new CliError(`--${flag} must be a whole number from ${bounds.min} to ${bounds.max}, got "${text}".`);
  }
  return value;
}
