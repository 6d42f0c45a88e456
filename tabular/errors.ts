/**
 * Named errors of the table model. Each message is one line that says what was wrong with the
 * user's input and what to do about it; the underlying error is kept as `cause`.
 */

/** A file could not be read as a table: missing, unreadable, binary, ragged, empty, … */
export class TableReadError extends Error {
  override readonly name = "TableReadError";
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = path;
  }
}

/** A schema (file or object) is invalid, or does not fit the table it is applied to. */
export class SchemaError extends Error {
  override readonly name = "SchemaError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A table could not be written (bad target, unsupported format, a chunk that does not fit the schema). */
export class TableWriteError extends Error {
  override readonly name = "TableWriteError";
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = path;
  }
}

/** The first line of an error's message, for embedding a library's error in ours. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]?.trim() ?? "";
}

/** Whether an error is "no space left on device", from node (ENOSPC) or in DuckDB's message. */
export function isDiskFull(error: unknown): boolean {
  if ((error as { code?: unknown } | undefined)?.code === "ENOSPC") return true;
  return /ENOSPC|No space left on device/i.test(error instanceof Error ? error.message : String(error));
}
