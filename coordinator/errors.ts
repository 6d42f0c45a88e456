/**
 * Errors that reach an RPC caller. Each carries the gRPC status code the conventions ask for
 * (https://grpc.io/docs/guides/status-codes/) and a one-line message saying what was wrong and
 * what to do. Handlers turn them into statuses; anything else becomes INTERNAL and is logged.
 */
import { status } from "@grpc/grpc-js";

export class CoordinatorRpcError extends Error {
  override readonly name: string = "CoordinatorRpcError";
  readonly code: status;
  constructor(code: status, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** The request itself is wrong (bad field, bad filter, bad token format); retrying cannot help. */
export class InvalidArgumentError extends CoordinatorRpcError {
  override readonly name: string = "InvalidArgumentError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(status.INVALID_ARGUMENT, message, options);
  }
}

/** The job, node, result or chunk does not exist (or is not the caller's). */
export class NotFoundError extends CoordinatorRpcError {
  override readonly name: string = "NotFoundError";
  constructor(message: string) {
    super(status.NOT_FOUND, message);
  }
}

/** Same idempotency key, different request. */
export class AlreadyExistsError extends CoordinatorRpcError {
  override readonly name: string = "AlreadyExistsError";
  constructor(message: string) {
    super(status.ALREADY_EXISTS, message);
  }
}

/** The system is not in a state where this can be done (cancel a finished job, missing chunks). */
export class FailedPreconditionError extends CoordinatorRpcError {
  override readonly name: string = "FailedPreconditionError";
  constructor(message: string) {
    super(status.FAILED_PRECONDITION, message);
  }
}

/** A concurrency conflict: the lease expired or passed to another node; drop the task. */
export class AbortedError extends CoordinatorRpcError {
  override readonly name: string = "AbortedError";
  constructor(message: string) {
    super(status.ABORTED, message);
  }
}

/** Too big or too many. */
export class ResourceExhaustedError extends CoordinatorRpcError {
  override readonly name: string = "ResourceExhaustedError";
  constructor(message: string) {
    super(status.RESOURCE_EXHAUSTED, message);
  }
}

/** The coordinator is shutting down or a dependency is away; retry with backoff. */
export class UnavailableError extends CoordinatorRpcError {
  override readonly name: string = "UnavailableError";
  constructor(message: string) {
    super(status.UNAVAILABLE, message);
  }
}

/** No credentials, or unknown ones. */
export class UnauthenticatedError extends CoordinatorRpcError {
  override readonly name: string = "UnauthenticatedError";
  constructor(message: string) {
    super(status.UNAUTHENTICATED, message);
  }
}

/** Known caller, wrong role (a node calling the client API, a client calling the node API). */
export class PermissionDeniedError extends CoordinatorRpcError {
  override readonly name: string = "PermissionDeniedError";
  constructor(message: string) {
    super(status.PERMISSION_DENIED, message);
  }
}

/** Stored bytes no longer match their checksum. */
export class DataLossError extends CoordinatorRpcError {
  override readonly name: string = "DataLossError";
  constructor(message: string) {
    super(status.DATA_LOSS, message);
  }
}
