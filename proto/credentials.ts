/**
 * How clients and nodes authenticate, shared by both sides so they agree on file names:
 * - nodes: mutual TLS with a per-node certificate (CN = node id) signed by the datalab CA;
 * - API clients: server-authenticated TLS plus `authorization: Bearer <token>` metadata.
 * `datalab certs --out DIR` writes the layout below; `--insecure` (loopback only) skips TLS.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { createJobClient, createNodeClient } from "./load.js";
import type { JobServiceClient, NodeServiceClient } from "./types.js";

/** Metadata key carrying the bearer token of an API client. */
export const AUTHORIZATION_METADATA_KEY = "authorization";

/** File layout of a TLS folder made by `datalab certs`. */
export function tlsLayout(dir: string) {
  return {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    serverCert: join(dir, "server.crt"),
    serverKey: join(dir, "server.key"),
    /** `{ "version": 1, "clients": [{ "name": "alice", "tokenSha256": "<hex>" }] }`: hashes only. */
    tokens: join(dir, "tokens.json"),
    node: (name: string) => ({ cert: join(dir, "nodes", `${name}.crt`), key: join(dir, "nodes", `${name}.key`) }),
    client: (name: string) => ({
      cert: join(dir, "clients", `${name}.crt`),
      key: join(dir, "clients", `${name}.key`),
      token: join(dir, "clients", `${name}.token`),
    }),
  };
}

export class CredentialsFileError extends Error {
  override readonly name = "CredentialsFileError";
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CredentialsFileError(`cannot read the ${what} ${path}; create it with \`datalab certs --out <dir>\` or pass the right --tls-dir.`, {
      cause: error,
    });
  }
}

export interface NodeTls {
  caPem: Buffer;
  certPem: Buffer;
  keyPem: Buffer;
}

export interface ClientTls {
  caPem: Buffer;
  token: string;
}

/** A node's CA, certificate and key from a `datalab certs` folder. */
export function readNodeTls(dir: string, nodeName: string): NodeTls {
  const layout = tlsLayout(dir);
  const files = layout.node(nodeName);
  return {
    caPem: readFile(layout.caCert, "CA certificate"),
    certPem: readFile(files.cert, `certificate of node "${nodeName}"`),
    keyPem: readFile(files.key, `key of node "${nodeName}"`),
  };
}

/** A client's CA and bearer token from a `datalab certs` folder. */
export function readClientTls(dir: string, clientName: string): ClientTls {
  const layout = tlsLayout(dir);
  const token = readFile(layout.client(clientName).token, `token of client "${clientName}"`).toString("utf8").trim();
  return { caPem: readFile(layout.caCert, "CA certificate"), token };
}

/**
 * The TLS server name for an address: an explicit override, else "localhost" for a loopback IP
 * (Node warns about IP addresses as SNI names, RFC 6066; `datalab certs` puts localhost in the
 * server certificate), else none (the host name itself is checked).
 */
function serverNameFor(address: string, override: string | undefined): string | undefined {
  if (override !== undefined) return override;
  const host = /^\[?([^\]]*?)\]?:\d+$/.exec(address)?.[1] ?? address;
  return /^(127\.\d+\.\d+\.\d+|::1)$/.test(host) ? "localhost" : undefined;
}

/** Adds `authorization: Bearer <token>` to every call (works on TLS and insecure channels). */
export function bearerTokenInterceptor(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(AUTHORIZATION_METADATA_KEY, `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/**
 * A JobService client. With `caPem` the channel is TLS (server verified against the datalab
 * CA); without, it is plaintext and only for a coordinator started with --insecure on loopback.
 */
export function connectJobService(options: { address: string; token: string; caPem?: Buffer; serverNameOverride?: string }): JobServiceClient {
  const credentials = options.caPem === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(options.caPem);
  const channelOptions: grpc.ClientOptions = { interceptors: [bearerTokenInterceptor(options.token)] };
  const serverName = serverNameFor(options.address, options.serverNameOverride);
  if (options.caPem !== undefined && serverName !== undefined) channelOptions["grpc.ssl_target_name_override"] = serverName;
  return createJobClient(options.address, credentials, channelOptions);
}

/** A NodeService client: mutual TLS with the node's certificate, or plaintext (insecure dev). */
export function connectNodeService(options: { address: string; tls?: NodeTls; serverNameOverride?: string }): NodeServiceClient {
  const credentials =
    options.tls === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(options.tls.caPem, options.tls.keyPem, options.tls.certPem);
  const channelOptions: grpc.ChannelOptions = {};
  const serverName = serverNameFor(options.address, options.serverNameOverride);
  if (options.tls !== undefined && serverName !== undefined) channelOptions["grpc.ssl_target_name_override"] = serverName;
  return createNodeClient(options.address, credentials, channelOptions);
}
