/**
 * `datalab health` — asks a coordinator's gRPC health service (grpc.health.v1.Health/Check) whether
 * it serves, over the same TLS as clients use. Exit 0 when SERVING, 1 otherwise: the probe
 * command of deploy/kubernetes (Kubernetes' own gRPC probe cannot speak TLS).
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { tlsLayout } from "../proto/index.js";
import { CliError } from "./cli-error.js";
import { loopbackServerName } from "./job-client.js";
import { type FlagSpec, parseFlags } from "./parse-flags.js";

export const flags = {
  coordinator: { type: "string" },
  "tls-dir": { type: "string" },
  ca: { type: "string" },
  "server-name": { type: "string" },
  service: { type: "string" },
  "timeout-seconds": { type: "string" },
  insecure: { type: "boolean" },
} as const satisfies FlagSpec;

export const usage = `usage: datalab health [--coordinator host:port] (--tls-dir DIR | --ca FILE | --insecure) [options]
  Exit 0 when the coordinator's gRPC health service answers SERVING, 1 otherwise (with the reason).
  --coordinator host:port   DATALAB_COORDINATOR  coordinator address (default 127.0.0.1:7443)
  --tls-dir DIR             DATALAB_TLS_DIR      folder from \`datalab certs\`; its ca.crt verifies the coordinator
  --ca FILE                 DATALAB_CA           CA certificate, instead of --tls-dir
  --server-name NAME                             name the certificate must carry (default: localhost on loopback, else the host)
  --service NAME                                 service to ask about (default "": the whole server)
  --timeout-seconds S                            give up after S seconds (default 3)
  --insecure                DATALAB_INSECURE=1   plaintext (a coordinator started with --insecure)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags("health", argv, flags, { min: 0, max: 0, names: "no positional arguments" });
  const address = values.coordinator ?? process.env["DATALAB_COORDINATOR"] ?? "127.0.0.1:7443";
  if (!/^(\[[^\]]+\]|[^:]+):\d{1,5}$/.test(address)) throw new CliError(`--coordinator must be host:port, e.g. 127.0.0.1:7443, got "${address}".`);
  const timeoutSeconds = Number(values["timeout-seconds"] ?? "3");
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 300))
    throw new CliError(`--timeout-seconds must be a number of seconds from 0 to 300, got "${values["timeout-seconds"]}".`);
  const insecure = values.insecure === true || ["1", "true", "yes"].includes((process.env["DATALAB_INSECURE"] ?? "").toLowerCase());
  let credentials: grpc.ChannelCredentials;
  const options: grpc.ChannelOptions = {};
  if (insecure) {
    credentials = grpc.credentials.createInsecure();
  } else {
    const tlsDir = values["tls-dir"] ?? process.env["DATALAB_TLS_DIR"];
    const caPath = values.ca ?? process.env["DATALAB_CA"] ?? (tlsDir === undefined ? undefined : tlsLayout(tlsDir).caCert);
    if (caPath === undefined)
      throw new CliError("no CA to verify the coordinator: pass --tls-dir DIR or --ca FILE (or --insecure for a coordinator started with --insecure).");
    let caPem: Buffer;
    try {
      caPem = readFileSync(caPath);
    } catch (error) {
      throw new CliError(`cannot read the CA certificate ${caPath}: ${(error as Error).message}`, { cause: error });
    }
    credentials = grpc.credentials.createSsl(caPem);
    const serverName = values["server-name"] ?? loopbackServerName(address);
    if (serverName !== undefined) options["grpc.ssl_target_name_override"] = serverName;
  }
  const Health = grpc.makeGenericClientConstructor(healthService, "Health");
  const client = new Health(address, credentials, options);
  try {
    const status = await new Promise<string>((resolve, reject) => {
      client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        (request: { service: string }) => healthService["Check"]!.requestSerialize(request),
        (bytes: Buffer) => healthService["Check"]!.responseDeserialize(bytes) as { status: string },
        { service: values.service ?? "" },
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutSeconds * 1000 },
        (error: grpc.ServiceError | null, response?: { status: string }) => (error ? reject(error) : resolve(String(response?.status ?? "UNKNOWN"))),
      );
    });
    if (status === "SERVING") {
      process.stdout.write(`${address}: SERVING\n`);
      return 0;
    }
    process.stderr.write(`datalab health: ${address} answers ${status}\n`);
    return 1;
  } catch (error) {
    const detail = (error as grpc.ServiceError).details ?? String(error);
    process.stderr.write(`datalab health: ${address} did not answer: ${detail}\n`);
    return 1;
  } finally {
    client.close();
  }
}
