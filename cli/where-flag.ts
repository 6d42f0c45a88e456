/**
 * The `--where` flag of synth, sample and submit: malformed conditions are usage errors (exit 2),
 * found before any work. Its own module so that commands without it do not load the generators.
 */
import { ConditionError, parseWhere } from "../generators/index.js";
import { CliError } from "./cli-error.js";

/**
 * Checks a `--where` text (the `datalab synth --where` language: `Age>40,Sex=Female`) and returns
 * it as the job's condition text; the coordinator checks it again, the node against the model.
 */
export function whereCondition(text: string): string {
  try {
    if (parseWhere(text).length === 0) throw new CliError(`--where "${text}" names no condition.`);
  } catch (error) {
    if (error instanceof ConditionError) throw new CliError(`--where: ${error.message}`, { cause: error });
    throw error;
  }
  return text;
}
