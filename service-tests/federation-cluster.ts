/**
 * A federation in miniature for the process tests and `datalab demo --federated`: a loopback
 * coordinator (service-tests/cluster.ts) and holder sidecars (`datalab trainer` child processes)
 * on slices of fixtures/adult/adult.csv split by the `relationship` column, so the holders' rows
 * differ (husbands ≈45 % >50K, own children ≈1 %). Every holder gets the same shared schema
 * (categories declared from the whole training file) and its own policy file.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadTable, type TableSchema, writeSchemaFile } from "../tabular/index.js";
import { Cluster, type ClusterOptions } from "./cluster.js";
import type { DatalabProcess, TestProcesses } from "./process-harness.js";

/** Holder name → the relationship labels of its slice. */
export const ADULT_HOLDER_SLICES: Readonly<Record<string, readonly string[]>> = {
  "oem-a": ["Husband"],
  "oem-b": ["Not-in-family", "Wife"],
  "oem-c": ["Own-child", "Unmarried", "Other-relative"],
};

export interface HolderPolicyFile {
  version: 1;
  allowedJobKinds: string[];
  allowedPurposes: string[];
  allowedRequesters: string[];
  maxEpsilonPerJob: number;
  maxDeltaPerJob: number;
  totalEpsilon: number;
  totalDelta: number;
  minCohortRows: number;
  requireDp: boolean;
  localNoise?: { required: boolean; noiseMultiplier: number };
}

export const DEFAULT_HOLDER_POLICY: HolderPolicyFile = {
  version: 1,
  allowedJobKinds: ["federated_training"],
  allowedPurposes: ["*"],
  allowedRequesters: ["*"],
  maxEpsilonPerJob: 3,
  maxDeltaPerJob: 1e-5,
  totalEpsilon: 10,
  totalDelta: 1e-5,
  minCohortRows: 20,
  requireDp: false,
};

/** The shared schema of Adult: inferred from the training file, categories declared. */
export async function adultSharedSchema(): Promise<TableSchema> {
  const { table, schema } = await loadTable("fixtures/adult/adult.csv");
  const columns = schema.columns.map((column, i) => {
    const data = table.columns[i];
    return column.type === "categorical" && data && "categories" in data ? { ...column, categories: [...data.categories].sort() } : column;
  });
  return { ...schema, columns };
}

/** Writes each holder's slice of adult.csv (header kept); returns holder → path. */
export async function writeAdultSlices(dir: string, slices: Readonly<Record<string, readonly string[]>> = ADULT_HOLDER_SLICES): Promise<Map<string, string>> {
  const text = await readFile("fixtures/adult/adult.csv", "utf8");
  const [header, ...rows] = text.split("\n").filter((line) => line.trim() !== "");
  const column = (header as string).split(",").indexOf("relationship");
  if (column < 0) throw new Error("adult.csv has no relationship column");
  const paths = new Map<string, string>();
  for (const [holder, labels] of Object.entries(slices)) {
    const wanted = new Set(labels);
    const kept = rows.filter((row) => wanted.has(row.split(",")[column]?.trim() ?? ""));
    const path = join(dir, `${holder}.csv`);
    await writeFile(path, `${header}\n${kept.join("\n")}\n`);
    paths.set(holder, path);
  }
  return paths;
}

export interface FederationClusterOptions extends Omit<ClusterOptions, "nodes"> {
  holders?: string[];
  /** Policy per holder (default DEFAULT_HOLDER_POLICY). */
  policies?: Record<string, HolderPolicyFile>;
}

export class FederationCluster extends Cluster {
  readonly holders = new Map<string, DatalabProcess>();
  readonly slicePaths = new Map<string, string>();
  schemaPath = "";
  readonly policies: Record<string, HolderPolicyFile>;

  constructor(processes: TestProcesses, dir: string, options: FederationClusterOptions) {
    // Worker nodes (`datalab node`, started with startNode) get certificates too: options.spareNodes.
    super(processes, dir, { ...options, nodes: [], spareNodes: [...(options.holders ?? Object.keys(ADULT_HOLDER_SLICES)), ...(options.spareNodes ?? [])] });
    this.policies = options.policies ?? {};
  }

  async prepareData(): Promise<void> {
    this.schemaPath = join(this.dir, "adult-shared-schema.json");
    await writeSchemaFile(this.schemaPath, await adultSharedSchema());
    for (const [holder, path] of await writeAdultSlices(this.dir)) this.slicePaths.set(holder, path);
  }

  policyPath(holder: string): string {
    return join(this.dir, `policy-${holder}.json`);
  }

  /** Starts a holder sidecar; resolves once it registered. */
  async startHolder(holder: string, env: NodeJS.ProcessEnv = {}): Promise<DatalabProcess> {
    const data = this.slicePaths.get(holder);
    if (data === undefined) throw new Error(`no data slice for holder ${holder}`);
    await writeFile(this.policyPath(holder), JSON.stringify(this.policies[holder] ?? DEFAULT_HOLDER_POLICY));
    const sidecar = this.processes.start(
      holder,
      [
        "trainer",
        "--coordinator",
        this.address,
        "--tls-dir",
        this.tlsDir,
        "--node-id",
        holder,
        "--data",
        data,
        "--dataset-id",
        "adult",
        "--schema",
        this.schemaPath,
        "--policy",
        this.policyPath(holder),
        "--work-dir",
        join(this.dir, `work-${holder}`),
      ],
      { DATALAB_DEVICE: "cpu", ...this.options.env, ...env },
    );
    this.holders.set(holder, sidecar);
    await sidecar.waitForLine(/registered as holder/, 60_000);
    return sidecar;
  }
}

export async function startFederationCluster(processes: TestProcesses, options: FederationClusterOptions = {}): Promise<FederationCluster> {
  const dir = await processes.tempDir("federation");
  const cluster = new FederationCluster(processes, dir, options);
  await cluster.makeCerts();
  await cluster.prepareData();
  await cluster.startCoordinator();
  await Promise.all((options.holders ?? Object.keys(ADULT_HOLDER_SLICES)).map((holder) => cluster.startHolder(holder)));
  return cluster;
}
