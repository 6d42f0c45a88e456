/**
 * How the node agent talks to the coordinator: every unary call has a deadline and can be
 * cancelled (a shutdown must not wait out a 20-second long poll), and every failure is sorted
 * into what the agent does next: reconnect (transient), register again (node unknown), drop
 * the task (lease lost), or give up on a request the coordinator will never accept.
 */
import * as grpc from "@grpc/grpc-js";
import { deadlineAfterSeconds } from "../proto/index.js";

type StartUnary<Res> = (metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/** Runs one unary call with a deadline; `signal` cancels it (rejects with status CANCELLED). */
export function cancellableCall<Res>(start: StartUnary<Res>, deadlineSeconds: number, signal?: AbortSignal): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(Object.assign(new Error("call cancelled before it started"), { code: grpc.status.CANCELLED }));
      return;
    }
    const call = start(new grpc.Metadata(), { deadline: deadlineAfterSeconds(deadlineSeconds) }, (error, response) => {
      signal?.removeEventListener("abort", cancel);
      if (error) reject(error);
      else if (response === undefined) reject(new Error("gRPC call returned neither a response nor an error"));
      else resolve(response);
    });
    function cancel(): void {
      call.cancel();
    }
    signal?.addEventListener("abort", cancel, { once: true });
  });
}

export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/** One line for a log: "UNAVAILABLE: No connection established". */
export function describeRpcError(error: unknown): string {
  const code = statusOf(error);
  const details =
    typeof error === "object" && error !== null && "details" in error
      ? String((error as { details: unknown }).details)
      : error instanceof Error
        ? error.message
        : String(error);
  return code === undefined ? details : `${grpc.status[code] ?? code}: ${details}`;
}

/** The coordinator may be back in a moment: retry after a backoff. */
export function isTransientRpcError(error: unknown): boolean {
  const code = statusOf(error);
  return (
    code === undefined ||
    code === grpc.status.UNAVAILABLE ||
    code === grpc.status.DEADLINE_EXCEEDED ||
    code === grpc.status.UNKNOWN ||
    code === grpc.status.INTERNAL ||
    code === grpc.status.RESOURCE_EXHAUSTED ||
    code === grpc.status.CANCELLED
  );
}

/** The credentials are wrong: retrying will not help without an operator. */
export function isAuthRpcError(error: unknown): boolean {
  const code = statusOf(error);
  return code === grpc.status.UNAUTHENTICATED || code === grpc.status.PERMISSION_DENIED;
}

/**
 * Channel options for a node's connection: after a coordinator restart the channel retries
 * quickly (grpc-js defaults back off up to 120 s, far longer than a restart takes).
 */
export const nodeChannelOptions: grpc.ChannelOptions = {
  "grpc.initial_reconnect_backoff_ms": 250,
  "grpc.max_reconnect_backoff_ms": 5_000,
  "grpc.min_reconnect_backoff_ms": 100,
};
