/**
 * The holder's policy file: what a holder sidecar (`datalab trainer`) lets federated jobs do
 * with its dataset. The sidecar enforces it itself, before touching a row; the coordinator only
 * sees a summary (to skip holders that would refuse). Unknown keys are refused, so a misspelt
 * limit cannot silently fall back to a default. Example: deploy/holder-policy.example.json.
 *
 * {
 *   "version": 1,
 *   "allowedJobKinds": ["federated_training"],       // federated_training | federated_synthesis
 *   "allowedPurposes": ["credit-risk-research"],     // ["*"] = any purpose
 *   "allowedRequesters": ["alice", "bob"],           // ["*"] = any requester
 *   "maxEpsilonPerJob": 3, "maxDeltaPerJob": 1e-5,   // one job, recomputed by the sidecar
 *   "totalEpsilon": 8, "totalDelta": 1e-5,           // everything ever spent on this dataset
 *   "minCohortRows": 50,                             // fewest rows behind one participant's update
 *   "requireDp": true,                               // refuse jobs without central noise
 *   "localNoise": { "required": false, "noiseMultiplier": 0 }
 * }
 */
import { readFile } from "node:fs/promises";

export type HolderJobKind = "federated_training" | "federated_synthesis";

export interface HolderPolicy {
  version: 1;
  allowedJobKinds: HolderJobKind[];
  /** Empty means any ("*" in the file). */
  allowedPurposes: string[];
  anyPurpose: boolean;
  allowedRequesters: string[];
  anyRequester: boolean;
  maxEpsilonPerJob: number;
  maxDeltaPerJob: number;
  totalEpsilon: number;
  totalDelta: number;
  minCohortRows: number;
  requireDp: boolean;
  /** Gaussian noise of standard deviation noiseMultiplier·C added to each update before it leaves. */
  localNoise: { required: boolean; noiseMultiplier: number };
}

/** A policy file that cannot be used; the message names the file, the key and the fix. */
export class HolderPolicyError extends Error {
  override readonly name = "HolderPolicyError";
}

const KEYS = new Set([
  "version",
  "allowedJobKinds",
  "allowedPurposes",
  "allowedRequesters",
  "maxEpsilonPerJob",
  "maxDeltaPerJob",
  "totalEpsilon",
  "totalDelta",
  "minCohortRows",
  "requireDp",
  "localNoise",
  "description",
]);
const KINDS: readonly HolderJobKind[] = ["federated_training", "federated_synthesis"];

function stringList(value: unknown, key: string, where: string, allowAny: boolean): { list: string[]; any: boolean } {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && v.trim() !== ""))
    throw new HolderPolicyError(`${where}: "${key}" must be a non-empty list of names${allowAny ? ' (["*"] allows any)' : ""}`);
  const list = value as string[];
  if (allowAny && list.includes("*")) {
    if (list.length > 1) throw new HolderPolicyError(`${where}: "${key}" mixes "*" with names; use ["*"] alone to allow any`);
    return { list: [], any: true };
  }
  return { list, any: false };
}

function positive(value: unknown, key: string, where: string, upper?: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !(value > 0) || (upper !== undefined && !(value < upper)))
    throw new HolderPolicyError(`${where}: "${key}" must be a number > 0${upper === undefined ? "" : ` and < ${upper}`}, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates a parsed policy object; `where` names its source in errors. */
export function parseHolderPolicy(raw: unknown, where = "holder policy"): HolderPolicy {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new HolderPolicyError(`${where}: the policy must be a JSON object`);
  const object = raw as Record<string, unknown>;
  for (const key of Object.keys(object))
    if (!KEYS.has(key)) throw new HolderPolicyError(`${where}: unknown key "${key}"; allowed keys are ${[...KEYS].join(", ")}`);
  for (const key of KEYS)
    if (key !== "description" && key !== "localNoise" && object[key] === undefined)
      throw new HolderPolicyError(`${where}: "${key}" is missing; every limit must be stated (see deploy/holder-policy.example.json)`);
  if (object["version"] !== 1) throw new HolderPolicyError(`${where}: "version" must be 1, got ${JSON.stringify(object["version"])}`);
  const kinds = stringList(object["allowedJobKinds"], "allowedJobKinds", where, false).list;
  for (const kind of kinds)
    if (!KINDS.includes(kind as HolderJobKind)) throw new HolderPolicyError(`${where}: job kind "${kind}" is not one of ${KINDS.join(", ")}`);
  const purposes = stringList(object["allowedPurposes"], "allowedPurposes", where, true);
  const requesters = stringList(object["allowedRequesters"], "allowedRequesters", where, true);
  const maxEpsilonPerJob = positive(object["maxEpsilonPerJob"], "maxEpsilonPerJob", where);
  const maxDeltaPerJob = positive(object["maxDeltaPerJob"], "maxDeltaPerJob", where, 1);
  const totalEpsilon = positive(object["totalEpsilon"], "totalEpsilon", where);
  const totalDelta = positive(object["totalDelta"], "totalDelta", where, 1);
  if (maxEpsilonPerJob > totalEpsilon) throw new HolderPolicyError(`${where}: "maxEpsilonPerJob" ${maxEpsilonPerJob} exceeds "totalEpsilon" ${totalEpsilon}`);
  if (maxDeltaPerJob > totalDelta) throw new HolderPolicyError(`${where}: "maxDeltaPerJob" ${maxDeltaPerJob} exceeds "totalDelta" ${totalDelta}`);
  const minCohortRows = object["minCohortRows"];
  if (typeof minCohortRows !== "number" || !Number.isSafeInteger(minCohortRows) || minCohortRows < 1)
    throw new HolderPolicyError(`${where}: "minCohortRows" must be an integer ≥ 1, got ${JSON.stringify(minCohortRows)}`);
  if (typeof object["requireDp"] !== "boolean") throw new HolderPolicyError(`${where}: "requireDp" must be true or false`);
  let localNoise = { required: false, noiseMultiplier: 0 };
  if (object["localNoise"] !== undefined) {
    const noise = object["localNoise"] as Record<string, unknown>;
    if (typeof noise !== "object" || noise === null || typeof noise["required"] !== "boolean")
      throw new HolderPolicyError(`${where}: "localNoise" must be {"required": true|false, "noiseMultiplier": number}`);
    const multiplier = noise["noiseMultiplier"] ?? 0;
    if (typeof multiplier !== "number" || !Number.isFinite(multiplier) || multiplier < 0)
      throw new HolderPolicyError(`${where}: "localNoise.noiseMultiplier" must be a number ≥ 0, got ${JSON.stringify(multiplier)}`);
    if (noise["required"] === true && !(multiplier > 0))
      throw new HolderPolicyError(
        `${where}: "localNoise.required" is true but "noiseMultiplier" is ${multiplier}; give the multiplier (> 0) of the noise to add`,
      );
    localNoise = { required: noise["required"], noiseMultiplier: noise["required"] ? multiplier : 0 };
  }
  return {
    version: 1,
    allowedJobKinds: kinds as HolderJobKind[],
    allowedPurposes: purposes.list,
    anyPurpose: purposes.any,
    allowedRequesters: requesters.list,
    anyRequester: requesters.any,
    maxEpsilonPerJob,
    maxDeltaPerJob,
    totalEpsilon,
    totalDelta,
    minCohortRows,
    requireDp: object["requireDp"] as boolean,
    localNoise,
  };
}

/** Reads and validates a policy file. */
export async function loadHolderPolicy(path: string): Promise<HolderPolicy> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new HolderPolicyError(
      `--policy ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); give the path of a policy JSON file`,
      {
        cause: error,
      },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HolderPolicyError(`--policy ${path} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseHolderPolicy(raw, `--policy ${path}`);
}
