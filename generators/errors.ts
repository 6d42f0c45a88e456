/**
 * Named errors of generators/. Each message is one line saying what was wrong and what to do;
 * the underlying error, if any, is kept as `cause`.
 */

/** A `--where` condition that is malformed or cannot be met by the model. */
export class ConditionError extends Error {
  override readonly name = "ConditionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A model file that is missing, not a model, from another version, or corrupted. */
export class ModelFileError extends Error {
  override readonly name = "ModelFileError";
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = path;
  }
}

/** A table the generator cannot learn from (no rows, no columns), or a bad sampling request. */
export class GeneratorError extends Error {
  override readonly name = "GeneratorError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * A differentially private fit that cannot run as asked: bad ε or δ, a non-DP model asked for
 * an ε, or a domain the schema does not declare (a DP fit never reads it from the data).
 */
export class DpInputError extends Error {
  override readonly name = "DpInputError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * A table or setting a neural generator (CTGAN, TVAE) cannot train on: too few rows for one batch,
 * a column with a single value, zero epochs, a batch that is not a multiple of the pac size.
 */
export class TrainingInputError extends Error {
  override readonly name = "TrainingInputError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
