/**
 * Federated MST in one process: the three rounds between holders and a coordinator, with every
 * measurement passed through its file format (serialize → bytes → parse) as it would cross the
 * wire. The service's job runs the same functions, one holder per sidecar; this runner is what
 * the tests and the bench measure against MST on the pooled rows.
 *
 *   round 1  holders: measureOneWays          coordinator: planSelection (sum, n̂, compression)
 *   round 2  holders: measureSelectionScores  coordinator: planTree (sum, maximum spanning tree)
 *   round 3  holders: measureTreeMarginals    coordinator: fitFederatedMst (sum, estimate, model)
 */
import type { TableSchema } from "../../tabular/index.js";
import { GeneratorError } from "../errors.js";
import type { MstModel } from "../mst/mst-model.js";
import { type FederatedAccounting, federatedAccounting } from "./federated-budget.js";
import { planSelection, planTree, type SelectionPlan, sharedDomain, type TreePlan } from "./federated-plan.js";
import { fitFederatedMst } from "./fit-federated-mst.js";
import { type HolderContext, measureOneWays, measureSelectionScores, measureTreeMarginals } from "./holder-measurements.js";
import { type HolderMeasurement, parseMeasurement, serializeMeasurement } from "./measurement-file.js";

export interface FederatedMstRun {
  model: MstModel;
  accounting: FederatedAccounting;
  selectionPlan: SelectionPlan;
  treePlan: TreePlan;
  /** Bytes each round's measurement files took, summed over holders. */
  measurementBytes: { oneWay: number; selection: number; tree: number };
}

function overTheWire(measurements: HolderMeasurement[], counter: { bytes: number }): HolderMeasurement[] {
  return measurements.map((m) => {
    const bytes = serializeMeasurement(m);
    counter.bytes += bytes.byteLength;
    return parseMeasurement(bytes, `from holder "${m.holder}"`);
  });
}

/** Runs the protocol over `holders` (distinct ids), each table read with the shared `schema`. */
export function runFederatedMst(schema: TableSchema, holders: ReadonlyArray<Omit<HolderContext, "schema">>): FederatedMstRun {
  const ids = new Set(holders.map((h) => h.holder));
  if (ids.size !== holders.length) throw new GeneratorError("two holders share an id; give each holder of a federated job its own id.");
  const d = sharedDomain(schema).attributes.length;
  const accounting = federatedAccounting(holders, d);
  const contexts = holders.map((h) => ({ ...h, schema }));
  const oneWayBytes = { bytes: 0 };
  const selectionBytes = { bytes: 0 };
  const treeBytes = { bytes: 0 };
  const oneWay = overTheWire(
    contexts.map((c) => measureOneWays(c)),
    oneWayBytes,
  );
  const selectionPlan = planSelection(schema, oneWay);
  const selection = overTheWire(
    contexts.map((c) => measureSelectionScores(c, selectionPlan)),
    selectionBytes,
  );
  const treePlan = planTree(schema, selection, selectionPlan);
  const tree = overTheWire(
    contexts.map((c) => measureTreeMarginals(c, treePlan)),
    treeBytes,
  );
  const model = fitFederatedMst(schema, oneWay, tree, treePlan, accounting);
  return {
    model,
    accounting,
    selectionPlan,
    treePlan,
    measurementBytes: { oneWay: oneWayBytes.bytes, selection: selectionBytes.bytes, tree: treeBytes.bytes },
  };
}
