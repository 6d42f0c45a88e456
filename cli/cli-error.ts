/**
 * How errors reach a user of the CLI: one line, `datalab <command>: <what was wrong> <what to do>`.
 * Parts throw their own named error classes (with `cause` kept); the CLI prints their message.
 * A `CliError` is a usage problem (bad flag, bad value): exit code 2. Anything else: exit code 1.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? 2;
  }
}

export function formatCliError(command: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `datalab ${command}: ${message.split("\n")[0]}`;
}
