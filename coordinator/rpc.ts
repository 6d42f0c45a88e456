/**
 * Handler plumbing shared by both services: turn thrown errors into gRPC statuses (our named
 * errors keep their code and message; anything else is logged and becomes INTERNAL), count
 * every call by service/method/code, and write stream messages with backpressure.
 */
import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { CoordinatorRpcError } from "./errors.js";
import type { CoordinatorMetrics } from "./metrics.js";

export type Log = (line: string) => void;

export interface RpcContext {
  service: string;
  metrics: CoordinatorMetrics | undefined;
  log: Log;
}

/** The status a thrown error becomes (also for one item of a batch call); unexpected errors are logged. */
export function toStatus(error: unknown, context: RpcContext, method: string): Partial<grpc.StatusObject> {
  if (error instanceof CoordinatorRpcError) return { code: error.code, details: error.message };
  const message = error instanceof Error ? error.message : String(error);
  if (typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_BUSY") {
    return { code: grpc.status.UNAVAILABLE, details: "the job store is busy; retry with backoff." };
  }
  context.log(`internal error in ${context.service}/${method}: ${error instanceof Error && error.stack ? error.stack : message}`);
  return { code: grpc.status.INTERNAL, details: `internal error (${message.split("\n")[0]}); see the coordinator log.` };
}

function count(context: RpcContext, method: string, code: grpc.status): void {
  context.metrics?.rpcRequests.inc({ service: context.service, method, code: grpc.status[code] ?? String(code) });
}

export function unary<Req, Res>(
  context: RpcContext,
  method: string,
  handler: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    const observe = () => context.metrics?.rpcHandlingSeconds.observe({ service: context.service, method }, (performance.now() - started) / 1000);
    Promise.resolve()
      .then(() => handler(call))
      .then(
        (response) => {
          count(context, method, grpc.status.OK);
          observe();
          callback(null, response);
        },
        (error: unknown) => {
          const status = toStatus(error, context, method);
          count(context, method, status.code ?? grpc.status.UNKNOWN);
          observe();
          callback(status);
        },
      );
  };
}

export function serverStream<Req, Res>(
  context: RpcContext,
  method: string,
  handler: (call: grpc.ServerWritableStream<Req, Res>) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    handler(call).then(
      () => {
        count(context, method, grpc.status.OK);
        if (!call.cancelled) call.end();
      },
      (error: unknown) => {
        const status = toStatus(error, context, method);
        count(context, method, status.code ?? grpc.status.UNKNOWN);
        // An "error" event is how grpc-js ends a server stream with a status; destroy() would
        // tear the stream down without sending one (the client saw DEADLINE_EXCEEDED).
        if (!call.cancelled) call.emit("error", Object.assign(new Error(status.details), status));
      },
    );
  };
}

/** Writes one message, waiting for the stream to drain when its buffer is full. */
export async function writeMessage<Res>(call: grpc.ServerWritableStream<unknown, Res>, message: Res): Promise<void> {
  if (call.cancelled) return;
  if (!call.write(message)) await Promise.race([once(call, "drain"), once(call, "cancelled")]);
}

/**
 * Writes one large message (a file chunk) and resolves once grpc-js has handed it on (its write
 * callback), or the call is cancelled. writeMessage alone lets a stream queue up to its high-water
 * mark of 16 messages — 16 MiB of chunks per download — before it pushes back; a coordinator
 * serving a federated round's global model to several holders at once held that much per stream.
 */
export async function writeChunkMessage<Res>(call: grpc.ServerWritableStream<unknown, Res>, message: Res): Promise<void> {
  if (call.cancelled) return;
  const stop = new AbortController();
  try {
    await Promise.race([
      new Promise<void>((resolve) => call.write(message, () => resolve())),
      once(call, "cancelled", { signal: stop.signal }).then(() => undefined),
    ]);
  } finally {
    stop.abort();
  }
}
