/**
 * A local certificate authority for development and small sites (`datalab certs`): an ECDSA
 * P-256 CA, a server certificate for the coordinator (localhost, 127.0.0.1, ::1 plus any extra
 * names), one client-auth certificate per node (CN = node id, OU = datalab-node), one per API
 * client (OU = datalab-client) with a random bearer token, and tokens.json holding only the
 * tokens' SHA-256. Keys and tokens are written 0600, each file via temp + rename.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as x509 from "@peculiar/x509";
import { tlsLayout } from "../proto/index.js";
import { CLIENT_CERT_OU, NODE_CERT_OU, type TokensFile, tokenSha256 } from "./auth.js";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const SIGNING: webcrypto.EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
const DAY_MS = 86_400_000;

export class CertsError extends Error {
  override readonly name = "CertsError";
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export interface IssueOptions {
  outDir: string;
  nodes: string[];
  clients: string[];
  /** Extra DNS names or IP addresses for the server certificate. */
  serverNames?: string[];
  validDays?: number;
}

export interface IssuedFiles {
  created: string[];
  /** Client name -> bearer token (also written to clients/<name>.token). */
  tokens: Map<string, string>;
}

function writeSecure(path: string, content: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "")}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  return (await webcrypto.subtle.importKey("pkcs8", der, ALGORITHM, true, ["sign"])) as CryptoKey;
}

function isIp(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(":");
}

async function loadOrCreateCa(
  layout: ReturnType<typeof tlsLayout>,
  validDays: number,
  created: string[],
): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
  if (existsSync(layout.caCert) && existsSync(layout.caKey)) {
    return { cert: new x509.X509Certificate(readFileSync(layout.caCert, "utf8")), key: await importPrivateKey(readFileSync(layout.caKey, "utf8")) };
  }
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString("hex"),
    name: "CN=datalab local CA, O=datalab",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + validDays * DAY_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeSecure(layout.caKey, await privateKeyPem(keys.privateKey), 0o600);
  writeSecure(layout.caCert, cert.toString("pem"), 0o644);
  created.push(layout.caCert, layout.caKey);
  return { cert, key: keys.privateKey };
}

async function issue(
  ca: { cert: x509.X509Certificate; key: CryptoKey },
  subject: string,
  usage: x509.ExtendedKeyUsage[],
  altNames: { type: "dns" | "ip"; value: string }[],
  validDays: number,
): Promise<{ certPem: string; keyPem: string }> {
  const keys = await keyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension(usage, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(16).toString("hex"),
    subject,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + validDays * DAY_MS),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions,
  });
  // Chain: leaf then CA, so peers that only trust the CA can build the path.
  return { certPem: `${cert.toString("pem")}\n${ca.cert.toString("pem")}\n`, keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Creates (or reuses) the CA in `outDir` and issues the server certificate (if absent) and the
 * named node and client certificates; tokens.json gains the new clients. Existing node/client
 * files are kept unless they are named again (then they are replaced).
 */
export async function issueCertificates(options: IssueOptions): Promise<IssuedFiles> {
  const validDays = options.validDays ?? 365;
  for (const name of [...options.nodes, ...options.clients]) {
    if (!NAME.test(name)) throw new CertsError(`name "${name}" must be 1..64 letters, digits, ".", "_" or "-".`);
  }
  const layout = tlsLayout(options.outDir);
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const ca = await loadOrCreateCa(layout, validDays, created);

  if (!existsSync(layout.serverCert) || !existsSync(layout.serverKey) || (options.serverNames ?? []).length > 0) {
    const names = ["localhost", "127.0.0.1", "::1", ...(options.serverNames ?? [])];
    const altNames = [...new Set(names)].map((value) => ({ type: isIp(value) ? ("ip" as const) : ("dns" as const), value }));
    const server = await issue(ca, "CN=datalab coordinator, O=datalab", [x509.ExtendedKeyUsage.serverAuth], altNames, validDays);
    writeSecure(layout.serverKey, server.keyPem, 0o600);
    writeSecure(layout.serverCert, server.certPem, 0o644);
    created.push(layout.serverCert, layout.serverKey);
  }
  for (const node of options.nodes) {
    const files = layout.node(node);
    const issued = await issue(ca, `CN=${node}, OU=${NODE_CERT_OU}, O=datalab`, [x509.ExtendedKeyUsage.clientAuth], [{ type: "dns", value: node }], validDays);
    writeSecure(files.key, issued.keyPem, 0o600);
    writeSecure(files.cert, issued.certPem, 0o644);
    created.push(files.cert, files.key);
  }

  const tokensFile: TokensFile = existsSync(layout.tokens) ? (JSON.parse(readFileSync(layout.tokens, "utf8")) as TokensFile) : { version: 1, clients: [] };
  const tokens = new Map<string, string>();
  for (const client of options.clients) {
    const files = layout.client(client);
    const issued = await issue(ca, `CN=${client}, OU=${CLIENT_CERT_OU}, O=datalab`, [x509.ExtendedKeyUsage.clientAuth], [], validDays);
    writeSecure(files.key, issued.keyPem, 0o600);
    writeSecure(files.cert, issued.certPem, 0o644);
    const token = `dlk_${randomBytes(24).toString("base64url")}`;
    writeSecure(files.token, `${token}\n`, 0o600);
    tokens.set(client, token);
    tokensFile.clients = tokensFile.clients.filter((c) => c.name !== client);
    tokensFile.clients.push({ name: client, tokenSha256: tokenSha256(token) });
    created.push(files.cert, files.key, files.token);
  }
  if (options.clients.length > 0 || !existsSync(layout.tokens)) {
    writeSecure(layout.tokens, `${JSON.stringify(tokensFile, null, 2)}\n`, 0o600);
    created.push(layout.tokens);
  }
  return { created, tokens };
}
