/** `datalab certs`: a local CA with server, node and client certificates and client tokens. */
import { issueCertificates } from "../coordinator/index.js";
import { CliError } from "./cli-error.js";
import { parseCount, parseFlags } from "./parse-flags.js";

export const usage = [
  "usage: datalab certs --out DIR [--nodes n1,n2] [--clients alice,bob] [--server-names host1,10.0.0.5] [--valid-days 365]",
  "",
  "Creates (or reuses) a local ECDSA P-256 CA in DIR and issues: server.crt/.key for the coordinator",
  "(localhost, 127.0.0.1, ::1 and --server-names), nodes/<name>.crt/.key for each worker node (mutual",
  "TLS, CN = node id), clients/<name>.crt/.key/.token for each API client, and tokens.json (token",
  "hashes for the coordinator). Keys and tokens are written with mode 0600. For development and small",
  "sites; use your own PKI in production.",
].join("\n");

function list(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    "certs",
    argv,
    { out: { type: "string" }, nodes: { type: "string" }, clients: { type: "string" }, "server-names": { type: "string" }, "valid-days": { type: "string" } },
    { min: 0, max: 0, names: "no positional arguments" },
  );
  if (values.out === undefined) throw new CliError("--out DIR is required: the folder for the CA, certificates and tokens.");
  const issued = await issueCertificates({
    outDir: values.out,
    nodes: list(values.nodes),
    clients: list(values.clients),
    serverNames: list(values["server-names"]),
    validDays: parseCount("valid-days", values["valid-days"], 365, { min: 1, max: 3650 }),
  });
  for (const path of issued.created) process.stdout.write(`wrote ${path}\n`);
  for (const [client] of issued.tokens) process.stdout.write(`client "${client}": token in ${values.out}/clients/${client}.token\n`);
  return 0;
}
