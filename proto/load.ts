/**
 * Loads the datalab.v1 .proto files once (with the options the generated types assume) and
 * builds typed clients. The .proto files are the contract; they are read at run time from
 * proto/datalab/v1 in the package (also when running the compiled dist/).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { JobServiceDefinition } from "./generated/datalab/v1/JobService.js";
import type { NodeServiceDefinition } from "./generated/datalab/v1/NodeService.js";
import type { ProtoGrpcType as JobProto } from "./generated/job_service.js";
import type { ProtoGrpcType as NodeProto } from "./generated/node_service.js";
import { tunables } from "./tunables.js";
import type { JobServiceClient, NodeServiceClient } from "./types.js";

/** The .proto files of the contract, relative to protoRoot(). */
export const PROTO_FILES = ["datalab/v1/common.proto", "datalab/v1/job.proto", "datalab/v1/job_service.proto", "datalab/v1/node_service.proto"] as const;

/** Full service names, as health checking and reflection list them. */
export const JOB_SERVICE_NAME = "datalab.v1.JobService";
export const NODE_SERVICE_NAME = "datalab.v1.NodeService";

/**
 * proto-loader options the generated types in proto/generated/ were made with. Do not change
 * one without regenerating (see proto/README.md).
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export class ProtoLoadError extends Error {
  override readonly name = "ProtoLoadError";
}

/** The folder holding datalab/v1/*.proto, found from this module (source or dist/). */
export function protoRoot(): string {
  const candidates = [new URL("./", import.meta.url), new URL("../../proto/", import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(`${dir}datalab/v1/job_service.proto`)) return dir;
  }
  throw new ProtoLoadError(`cannot find proto/datalab/v1/*.proto next to ${fileURLToPath(import.meta.url)}; reinstall datalab so the proto folder is present.`);
}

export type DatalabProto = JobProto & NodeProto;

let cached: { packageDefinition: protoLoader.PackageDefinition; proto: DatalabProto } | undefined;

/** The loaded package definition (for reflection) and the typed grpc object. */
export function loadDatalabProto(): { packageDefinition: protoLoader.PackageDefinition; proto: DatalabProto } {
  if (cached === undefined) {
    const root = protoRoot();
    let packageDefinition: protoLoader.PackageDefinition;
    try {
      packageDefinition = protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, includeDirs: [root] });
    } catch (error) {
      throw new ProtoLoadError(`cannot parse the datalab .proto files in ${root}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as DatalabProto;
    cached = { packageDefinition, proto };
  }
  return cached;
}

/** Service definitions, for `server.addService(...)`. */
export function jobServiceDefinition(): JobServiceDefinition {
  return loadDatalabProto().proto.datalab.v1.JobService.service;
}
export function nodeServiceDefinition(): NodeServiceDefinition {
  return loadDatalabProto().proto.datalab.v1.NodeService.service;
}

/**
 * Channel options every datalab client and server uses: explicit message limits a little above
 * one chunk (see tunables.maxMessageBytes), and keepalives so a dead coordinator is noticed.
 */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": tunables.maxMessageBytes,
  "grpc.max_send_message_length": tunables.maxMessageBytes,
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  // Channelz keeps per-call statistics for an introspection service that datalab does not
  // serve; it was ~4 % of the coordinator's CPU under load.
  "grpc.enable_channelz": 0,
};

/** A JobService client. `credentials` from jobClientCredentials() (or insecure for loopback dev). */
export function createJobClient(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): JobServiceClient {
  const Ctor = loadDatalabProto().proto.datalab.v1.JobService;
  return new Ctor(address, credentials, { ...CHANNEL_OPTIONS, ...options });
}

/** A NodeService client. `credentials` from nodeClientCredentials() (or insecure for loopback dev). */
export function createNodeClient(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): NodeServiceClient {
  const Ctor = loadDatalabProto().proto.datalab.v1.NodeService;
  return new Ctor(address, credentials, { ...CHANNEL_OPTIONS, ...options });
}
