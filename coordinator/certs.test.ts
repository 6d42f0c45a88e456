import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tlsLayout } from "../proto/index.js";
import { readTokensFile, tokenSha256 } from "./auth.js";
import { CertsError, issueCertificates } from "./certs.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-certs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Checked with node's own X509Certificate (OpenSSL), independent of the library that made them.
describe("issueCertificates", () => {
  it("makes a CA, a server certificate for loopback, node and client certificates, and hashed tokens", async () => {
    const out = join(dir, "a");
    const issued = await issueCertificates({ outDir: out, nodes: ["node-1"], clients: ["alice"] });
    const layout = tlsLayout(out);
    const ca = new X509Certificate(readFileSync(layout.caCert));
    expect(ca.ca).toBe(true);
    const server = new X509Certificate(readFileSync(layout.serverCert));
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.ca).toBe(false);
    const node = new X509Certificate(readFileSync(layout.node("node-1").cert));
    expect(node.verify(ca.publicKey)).toBe(true);
    expect(node.subject).toMatch(/CN=node-1/);
    expect(node.subject).toMatch(/OU=datalab-node/);
    expect(node.keyUsage).toContain("1.3.6.1.5.5.7.3.2");
    for (const key of [layout.caKey, layout.serverKey, layout.node("node-1").key, layout.client("alice").key, layout.client("alice").token, layout.tokens]) {
      expect(statSync(key).mode & 0o777, key).toBe(0o600);
    }
    const token = readFileSync(layout.client("alice").token, "utf8").trim();
    expect(issued.tokens.get("alice")).toBe(token);
    expect(readFileSync(layout.tokens, "utf8")).not.toContain(token);
    expect(readTokensFile(layout.tokens).get(tokenSha256(token))).toBe("alice");
  });

  it("reuses the CA and keeps earlier clients when run again", async () => {
    const out = join(dir, "b");
    await issueCertificates({ outDir: out, nodes: [], clients: ["alice"] });
    const layout = tlsLayout(out);
    const caBefore = readFileSync(layout.caCert, "utf8");
    const aliceToken = readFileSync(layout.client("alice").token, "utf8").trim();
    await issueCertificates({ outDir: out, nodes: ["node-9"], clients: ["bob"] });
    expect(readFileSync(layout.caCert, "utf8")).toBe(caBefore);
    const tokens = readTokensFile(layout.tokens);
    expect(tokens.get(tokenSha256(aliceToken))).toBe("alice");
    expect([...tokens.values()].sort()).toEqual(["alice", "bob"]);
    const node = new X509Certificate(readFileSync(layout.node("node-9").cert));
    expect(node.verify(new X509Certificate(caBefore).publicKey)).toBe(true);
  });

  it("refuses names that would escape the folder", async () => {
    await expect(issueCertificates({ outDir: join(dir, "c"), nodes: ["../evil"], clients: [] })).rejects.toThrow(CertsError);
  });
});
