/**
 * SubmitJob's checks of a FEDERATED_SYNTHESIS spec: federated MST over the holders of
 * federated.dataset_id, each holder spending spec.epsilon (and federated.delta, default 1e-9) on
 * its own rows. The training fields of FederatedSpec do not apply and are refused when set, so a
 * setting is never silently ignored.
 */
import { DEFAULT_DELTA } from "../../generators/index.js";
import type { JobSpecOut } from "../../proto/index.js";
import { InvalidArgumentError } from "../errors.js";

const NAME = /^[A-Za-z0-9._-]{1,128}$/;

function rule(ok: boolean, field: string, text: string, value: unknown): void {
  if (!ok) throw new InvalidArgumentError(`${field} ${text}, got ${String(value)}; fix it and submit again.`);
}

export function validateFederatedSynthesisSpec(spec: JobSpecOut): void {
  const f = spec.federated;
  if (!f) throw new InvalidArgumentError("a federated synthesis job needs spec.federated with dataset_id (the dataset the holders registered).");
  rule(
    NAME.test(f.datasetId),
    "federated.dataset_id",
    "must be 1..128 characters of [A-Za-z0-9._-] (the name holders registered)",
    JSON.stringify(f.datasetId),
  );
  rule(spec.model === "" || spec.model === "mst", "model", 'must be "mst" (the marginal-based federated synthesizer) or empty', JSON.stringify(spec.model));
  rule(
    spec.epsilon !== undefined && Number.isFinite(spec.epsilon) && spec.epsilon > 0,
    "epsilon",
    "must be each holder's budget, a positive finite number",
    spec.epsilon,
  );
  const delta = f.delta || DEFAULT_DELTA;
  rule(delta > 0 && delta < 1e-3, "federated.delta", "must be in (0, 0.001) (0 = 1e-9)", f.delta);
  rule(f.minHolders <= 10_000, "federated.min_holders", "must be 0 (default 2) .. 10000", f.minHolders);
  rule(f.roundDeadlineSeconds <= 86_400, "federated.round_deadline_seconds", "must be 0 (default 300) .. 86400", f.roundDeadlineSeconds);
  rule(f.purpose.length <= 200, "federated.purpose", "must be at most 200 characters", f.purpose.length);
  for (const id of f.holderIds) rule(NAME.test(id), "federated.holder_ids", "must be node ids of [A-Za-z0-9._-]", JSON.stringify(id));
  const training: Array<[string, unknown, boolean]> = [
    ["target_column", f.targetColumn, f.targetColumn !== ""],
    ["rounds", f.rounds, f.rounds !== 0],
    ["hidden_layer_sizes", f.hiddenLayerSizes.length, f.hiddenLayerSizes.length > 0],
    ["strategy", f.strategy, f.strategy !== ""],
    ["noise_multiplier", f.noiseMultiplier, f.noiseMultiplier !== 0],
    ["clip_norm", f.clipNorm, f.clipNorm !== 0],
    ["shards_per_holder", f.shardsPerHolder, f.shardsPerHolder > 1],
  ];
  for (const [field, value, set] of training)
    rule(!set, `federated.${field}`, "applies to FEDERATED_TRAINING jobs only; leave it unset for federated synthesis", value);
}
