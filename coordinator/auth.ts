/**
 * Who is calling, and may they call this service. API clients present a bearer token (its
 * SHA-256 is looked up in the tokens file: token -> client name); nodes present a certificate
 * signed by the datalab CA with OU "datalab-node" and CN = node id (mutual TLS, verified by the
 * TLS layer before a handler runs). A credential of the wrong kind for the service gets
 * PERMISSION_DENIED; none or an unknown one gets UNAUTHENTICATED.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Metadata, ServerUnaryCall } from "@grpc/grpc-js";
import { AUTHORIZATION_METADATA_KEY } from "../proto/index.js";
import { PermissionDeniedError, UnauthenticatedError } from "./errors.js";

type AuthContext = ReturnType<ServerUnaryCall<unknown, unknown>["getAuthContext"]>;

/** Organizational units that mark a certificate's role (set by `datalab certs`). */
export const NODE_CERT_OU = "datalab-node";
export const CLIENT_CERT_OU = "datalab-client";

/** What a handler needs of a call to authenticate it. */
export interface AuthenticatedCall {
  metadata: Metadata;
  getAuthContext(): AuthContext;
}

export interface TokensFile {
  version: 1;
  clients: { name: string; tokenSha256: string }[];
}

export class TokensFileError extends Error {
  override readonly name = "TokensFileError";
}

export function tokenSha256(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Reads a tokens file into token-digest -> client name. */
export function readTokensFile(path: string): Map<string, string> {
  let parsed: TokensFile;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as TokensFile;
  } catch (error) {
    throw new TokensFileError(
      `cannot read the tokens file ${path} (${error instanceof Error ? error.message : String(error)}); create it with \`datalab certs --out <dir> --clients alice\`.`,
      {
        cause: error,
      },
    );
  }
  if (parsed?.version !== 1 || !Array.isArray(parsed.clients))
    throw new TokensFileError(`tokens file ${path} must be {"version": 1, "clients": [{"name", "tokenSha256"}]}.`);
  const tokens = new Map<string, string>();
  for (const [i, client] of parsed.clients.entries()) {
    if (typeof client.name !== "string" || !/^[0-9a-f]{64}$/.test(client.tokenSha256 ?? "")) {
      throw new TokensFileError(`tokens file ${path}: entry ${i} needs a "name" and a 64-hex-digit "tokenSha256".`);
    }
    tokens.set(client.tokenSha256, client.name);
  }
  return tokens;
}

const CLIENT_NAME = /^[A-Za-z0-9._@-]{1,128}$/;

function bearerToken(metadata: Metadata): string | undefined {
  const value = metadata.get(AUTHORIZATION_METADATA_KEY)[0];
  if (typeof value !== "string") return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1];
}

function certificateRole(context: AuthContext): { ou: string; cn: string } | undefined {
  const cert = context.sslPeerCertificate;
  if (cert === undefined) return undefined;
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  return { ou: first(subject["OU"]), cn: first(subject["CN"]) };
}

export class Authenticator {
  private tokens: Map<string, string> | undefined;
  private readonly insecure: boolean;

  /** `tokens` undefined is allowed only in insecure mode: the bearer token is then the client name. */
  constructor(options: { tokens: Map<string, string> | undefined; insecure: boolean }) {
    this.tokens = options.tokens;
    this.insecure = options.insecure;
  }

  /** Swaps in a re-read tokens file (SIGHUP): calls from then on are checked against it. */
  replaceTokens(tokens: Map<string, string>): void {
    if (this.tokens === undefined) throw new Error("this coordinator runs without a tokens file; there are no tokens to replace");
    this.tokens = tokens;
  }

  private clientName(token: string): string | undefined {
    if (this.tokens !== undefined) return this.tokens.get(tokenSha256(token));
    return this.insecure && CLIENT_NAME.test(token) ? token : undefined;
  }

  /** The client name of a JobService call. */
  client(call: AuthenticatedCall): string {
    const token = bearerToken(call.metadata);
    if (token !== undefined) {
      const name = this.clientName(token);
      if (name === undefined)
        throw new UnauthenticatedError("the bearer token is not known to this coordinator; use the token `datalab certs` issued for you.");
      return name;
    }
    const cert = certificateRole(call.getAuthContext());
    if (cert?.ou === NODE_CERT_OU) throw new PermissionDeniedError(`node "${cert.cn}" cannot call JobService: node certificates may only call NodeService.`);
    throw new UnauthenticatedError("JobService needs `authorization: Bearer <token>` metadata; pass --token or DATALAB_TOKEN.");
  }

  /**
   * The node id of a NodeService call: the certificate's CN (must equal `requestedNodeId`), or,
   * in insecure mode, `requestedNodeId` itself.
   */
  node(call: AuthenticatedCall, requestedNodeId: string): string {
    const cert = certificateRole(call.getAuthContext());
    if (cert !== undefined && cert.ou === NODE_CERT_OU) {
      if (requestedNodeId !== "" && requestedNodeId !== cert.cn) {
        throw new PermissionDeniedError(
          `this certificate belongs to node "${cert.cn}" but the request says node_id "${requestedNodeId}"; use the node's own certificate.`,
        );
      }
      return cert.cn;
    }
    if (cert !== undefined)
      throw new PermissionDeniedError(`certificate "${cert.cn}" (${cert.ou || "no OU"}) is not a node certificate; NodeService is for worker nodes.`);
    if (bearerToken(call.metadata) !== undefined)
      throw new PermissionDeniedError("client tokens cannot call NodeService; it is for worker nodes with a node certificate.");
    if (this.insecure) return requestedNodeId;
    throw new UnauthenticatedError("NodeService needs mutual TLS with a node certificate from `datalab certs --nodes <name>`.");
  }
}
