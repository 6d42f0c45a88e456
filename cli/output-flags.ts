/**
 * The output flags of a command checked against its inputs before any work: an output that is
 * an input (same real path or hard link) or another output is a usage error (exit 2).
 */
import { checkOutputPaths, type NamedPath, TableWriteError } from "../tabular/index.js";
import { CliError } from "./cli-error.js";

/** `[flag, path]` pairs; undefined paths (flags not given) are skipped. */
export type FlagPaths = readonly (readonly [string, string | undefined])[];

function named(pairs: FlagPaths): NamedPath[] {
  return pairs.flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path }]));
}

export async function refuseOutputsOverInputs(outputs: FlagPaths, inputs: FlagPaths): Promise<void> {
  try {
    await checkOutputPaths(named(outputs), named(inputs));
  } catch (error) {
    if (error instanceof TableWriteError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}
