/**
 * Named errors of the scoring library. Every message is one line that says what was wrong with
 * the caller's input and what to do about it, so `datalab score` can print it as is.
 */

/** The tables (or options) handed to the scorer cannot be scored as given. */
export class ScoreInputError extends Error {
  override readonly name = "ScoreInputError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** An SDV `metadata.json` that cannot be turned into a datalab schema. */
export class SdvMetadataError extends Error {
  override readonly name = "SdvMetadataError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
