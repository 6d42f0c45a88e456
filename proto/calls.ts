/**
 * Promise wrappers for unary calls with a deadline on every call, so callers never forget one:
 * `await callJob(client, "GetJob", { jobId })`, `await callNode(node, "Heartbeat", { nodeId })`.
 */
import * as grpc from "@grpc/grpc-js";
import type { JobServiceDefinition } from "./generated/datalab/v1/JobService.js";
import type { NodeServiceDefinition } from "./generated/datalab/v1/NodeService.js";
import { tunables } from "./tunables.js";
import type { JobServiceClient, NodeServiceClient } from "./types.js";

type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/** A deadline `seconds` from now, as gRPC call options take it. */
export function deadlineAfterSeconds(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}

/**
 * Calls a bound unary method and resolves with its response; rejects with the grpc
 * ServiceError (which has `.code` and `.details`).
 */
export function unaryCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadlineSeconds: number = tunables.unaryDeadlineSeconds,
  metadata: grpc.Metadata = new grpc.Metadata(),
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, metadata, { deadline: deadlineAfterSeconds(deadlineSeconds) }, (error, response) => {
      if (error) reject(error);
      else if (response === undefined) reject(new Error("gRPC call returned neither a response nor an error"));
      else resolve(response);
    });
  });
}

/** True when `error` is a gRPC ServiceError with this status code. */
export function hasStatus(error: unknown, code: grpc.status): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === code;
}

type RequestOf<D> = D extends { requestSerialize: (value: infer Req) => Buffer } ? Req : never;
type ResponseOf<D> = D extends { responseDeserialize: (bytes: Buffer) => infer ResOut } ? ResOut : never;

/** JobService rpcs that are unary (WatchJob and DownloadResult are server streams). */
export type JobUnaryMethod = Exclude<keyof JobServiceDefinition & string, "WatchJob" | "DownloadResult">;
/** NodeService rpcs that are unary (DownloadInput is a server stream). */
export type NodeUnaryMethod = Exclude<keyof NodeServiceDefinition & string, "DownloadInput">;

export interface CallOptions {
  deadlineSeconds?: number;
  metadata?: grpc.Metadata;
}

function callByName(client: object, method: string, request: unknown, options: CallOptions): Promise<unknown> {
  const fn = (client as Record<string, UnaryMethod<unknown, unknown>>)[method];
  if (typeof fn !== "function") return Promise.reject(new TypeError(`the client has no method ${method}`));
  return unaryCall(fn.bind(client), request, options.deadlineSeconds ?? tunables.unaryDeadlineSeconds, options.metadata ?? new grpc.Metadata());
}

/**
 * A typed JobService call with a deadline: `await callJob(client, "SubmitJob", { … })`.
 * (Passing `client.submitJob.bind(client)` to unaryCall loses the types: TypeScript infers
 * from the last overload of a generated method.)
 */
export function callJob<K extends JobUnaryMethod>(
  client: JobServiceClient,
  method: K,
  request: RequestOf<JobServiceDefinition[K]>,
  options: CallOptions = {},
): Promise<ResponseOf<JobServiceDefinition[K]>> {
  return callByName(client, method, request, options) as Promise<ResponseOf<JobServiceDefinition[K]>>;
}

/** A typed NodeService call with a deadline: `await callNode(client, "LeaseTask", { nodeId, waitSeconds: 20 }, { deadlineSeconds: 25 })`. */
export function callNode<K extends NodeUnaryMethod>(
  client: NodeServiceClient,
  method: K,
  request: RequestOf<NodeServiceDefinition[K]>,
  options: CallOptions = {},
): Promise<ResponseOf<NodeServiceDefinition[K]>> {
  return callByName(client, method, request, options) as Promise<ResponseOf<NodeServiceDefinition[K]>>;
}
