/**
 * `datalab trainer` — the holder sidecar: runs next to a data holder's table with its policy
 * file, dials the coordinator (mutual TLS), registers the dataset's shared schema and a coarse
 * row count (never rows), and answers federated tasks after checking each against the policy
 * and the holder's own privacy-budget ledger. Rounds train in a worker thread.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import pkg from "../package.json" with { type: "json" };
import { CredentialsFileError, createNodeClient, lockFolder, makePrivateDir, readNodeTls, restrictNewFilesToOwner } from "../proto/index.js";
import { encodeFeatures, loadTable, planFeatures, readSchemaFile, schemaToJson } from "../tabular/index.js";
import {
  HolderAgent,
  HolderLedger,
  HolderPolicyError,
  isLoopbackHost,
  loadHolderPolicy,
  nodeChannelOptions,
  parseHostPort,
  RoundRunner,
} from "../trainer/index.js";
import { CliError } from "./cli-error.js";
import { loopbackServerName } from "./job-client.js";
import { LineLog } from "./line-log.js";
import { parseFlags } from "./parse-flags.js";

export const usage = `usage: datalab trainer --coordinator HOST:PORT --data FILE --dataset-id ID --schema schema.json --policy policy.json --work-dir DIR (--tls-dir DIR | --insecure)
  Runs a holder sidecar: the table at --data never leaves this machine; federated jobs send it
  a model, it trains locally and returns a clipped update, after checking the job against the
  policy file and its own privacy-budget ledger (<work-dir>/ledger/budget.sqlite).
  --coordinator HOST:PORT   coordinator gRPC address (required)
  --data FILE               the holder's table (CSV, Parquet, JSON) (required)
  --dataset-id ID           shared dataset name that jobs ask for (required)
  --schema FILE             the shared schema (categories and numeric ranges declared), same on every holder (required)
  --policy FILE             the holder policy (deploy/holder-policy.example.json) (required)
  --work-dir DIR            ledger, rounds in progress (required; one sidecar per folder)
  --node-id ID              this holder's name = its certificate's name (default: host name)
  --tls-dir DIR             folder from \`datalab certs\` with ca.crt and nodes/<id>.crt/.key
  --insecure                plaintext to a loopback coordinator (development only)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    "trainer",
    argv,
    {
      coordinator: { type: "string" },
      data: { type: "string" },
      "dataset-id": { type: "string" },
      schema: { type: "string" },
      policy: { type: "string" },
      "work-dir": { type: "string" },
      "node-id": { type: "string" },
      "tls-dir": { type: "string" },
      insecure: { type: "boolean" },
    },
    { min: 0, max: 0, names: "no positional arguments" },
  );
  for (const flag of ["coordinator", "data", "dataset-id", "schema", "policy", "work-dir"] as const)
    if (values[flag] === undefined) throw new CliError(`--${flag} is required. Run \`datalab trainer --help\`.`);
  const address = values.coordinator as string;
  let host: string;
  try {
    host = parseHostPort("--coordinator", address, false).host;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (values.insecure === true && values["tls-dir"] !== undefined) throw new CliError("give --tls-dir or --insecure, not both");
  if (values.insecure !== true && values["tls-dir"] === undefined)
    throw new CliError("--tls-dir is required (or --insecure for a loopback coordinator in development)");
  if (values.insecure === true && !isLoopbackHost(host))
    throw new CliError(`--insecure is refused for ${address}: plaintext is allowed only to a loopback coordinator; use --tls-dir`);
  const datasetId = values["dataset-id"] as string;
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(datasetId)) throw new CliError(`--dataset-id "${datasetId}" must be 1–128 characters of A–Z a–z 0–9 . _ -`);
  const nodeId = values["node-id"] ?? hostname();
  const workDir = values["work-dir"] as string;

  let policy: Awaited<ReturnType<typeof loadHolderPolicy>>;
  try {
    policy = await loadHolderPolicy(values.policy as string);
  } catch (error) {
    if (error instanceof HolderPolicyError) throw new CliError(error.message, { cause: error });
    throw error;
  }
  const schema = await readSchemaFile(values.schema as string);
  restrictNewFilesToOwner();
  makePrivateDir(workDir);
  const lock = lockFolder(workDir, `datalab trainer ${nodeId}`, "--work-dir");
  const lines = new LineLog();
  const log = (line: string) => lines.line(`${new Date().toISOString()} trainer ${nodeId}: ${line}`);
  const runners = new Map<string, RoundRunner>();
  let ledger: HolderLedger | undefined;
  let client: ReturnType<typeof createNodeClient> | undefined;
  try {
    const { table } = await loadTable(values.data as string, { schema });
    log(`loaded ${table.rowCount} rows of dataset "${datasetId}" (they stay here)`);
    ledger = new HolderLedger(join(workDir, "ledger", "budget.sqlite"), nodeId, datasetId, policy);
    let credentials: grpc.ChannelCredentials;
    if (values.insecure === true) {
      process.stderr.write(`\n  WARNING: datalab trainer ${nodeId} talks to ${address} WITHOUT TLS (--insecure). Development on loopback only.\n\n`);
      credentials = grpc.credentials.createInsecure();
    } else {
      try {
        const tls = readNodeTls(values["tls-dir"] as string, nodeId);
        credentials = grpc.credentials.createSsl(tls.caPem, tls.keyPem, tls.certPem);
      } catch (error) {
        if (error instanceof CredentialsFileError) throw new CliError(error.message, { cause: error });
        throw error;
      }
    }
    const serverName = loopbackServerName(address);
    const channelOptions =
      values.insecure !== true && serverName !== undefined ? { ...nodeChannelOptions, "grpc.ssl_target_name_override": serverName } : nodeChannelOptions;
    client = createNodeClient(address, credentials, channelOptions);
    const train = (targetColumn: string, settings: Parameters<RoundRunner["train"]>[0]) => {
      let runner = runners.get(targetColumn);
      if (!runner) {
        // The encoding is a function of the shared schema and the target alone, identical on every holder.
        const encoded = encodeFeatures(table, planFeatures(schema, { target: targetColumn }));
        // Rounds train in a worker thread: heartbeats and lease renewals keep flowing meanwhile.
        runner = new RoundRunner({ features: encoded.features, targets: encoded.targets, rows: encoded.rows, width: encoded.width });
        runners.set(targetColumn, runner);
      }
      return runner.train(settings);
    };
    const agent = new HolderAgent({
      client,
      nodeId,
      workDir,
      dataset: { datasetId, schemaJson: schemaToJson(schema), rows: table.rowCount },
      policy,
      ledger,
      train,
      synthesisData: { table, schema },
      log,
      agentVersion: pkg.version,
    });
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping`);
      agent.requestShutdown();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    try {
      process.stdout.write(`trainer ${nodeId} starting; coordinator ${address}; dataset ${datasetId}\n`);
      return await agent.run();
    } finally {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    }
  } finally {
    client?.close();
    for (const runner of runners.values()) await runner.close();
    ledger?.close();
    lines.close();
    lock.release();
  }
}
