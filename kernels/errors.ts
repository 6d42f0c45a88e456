/**
 * The one error class of `kernels/`: bad arguments (checked in TS before any native call), a
 * native failure (with the library's own message and code), or a library that is not built.
 */
export class KernelError extends Error {
  override readonly name = "KernelError";
  /** The native DL_ERR_* code when the error came from the library; undefined otherwise. */
  readonly code: number | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}

/** Native status codes (kernels/include/datalab_kernels.h). */
export const DL_OK = 0;
export const DL_ERR_INVALID_ARGUMENT = 1;
export const DL_ERR_NO_DEVICE = 2;
export const DL_ERR_DEVICE = 3;
export const DL_ERR_OUT_OF_MEMORY = 4;
