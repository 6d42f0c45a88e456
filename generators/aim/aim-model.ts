/**
 * The model AIM (McKenna, Mullins, Sheldon & Miklau 2022) fits: a graphical model over the
 * discrete domain, stored as its junction tree — the maximal cliques, the tree joining them, and
 * each clique's calibrated marginal (probabilities, row-major over the clique's attributes in
 * ascending order, last attribute fastest). For a junction tree,
 *     P(x) = Π_cliques P(x_K) / Π_separators P(x_S),
 * so sampling cliques root-first, each one's new attributes given its separator, draws from the
 * model exactly. Attributes are in compressed cells as in MST (mst-model.ts `CompressedAttribute`).
 */
import type { TableSchema } from "../../tabular/index.js";
import type { DiscreteAttribute } from "../discrete-domain.js";
import type { DpRecord } from "../dp-record.js";
import type { CompressedAttribute } from "../mst/mst-model.js";

export const AIM_GENERATOR_NAME = "aim";

export interface AimModel {
  format: "datalab-model";
  version: number;
  generator: typeof AIM_GENERATOR_NAME;
  schema: TableSchema;
  /** Rows the model was fitted on: the noisy estimate n̂. */
  training: { rows: number };
  /** The domain's attributes in original cells, and their compression (MST's). */
  attributes: DiscreteAttribute[];
  compression: CompressedAttribute[];
  /** Maximal cliques of the junction tree (attribute indices, ascending). */
  cliques: number[][];
  /** Clique indices root-first, and each clique's parent in the tree (−1: the root). */
  order: number[];
  parent: number[];
  /** Per clique: its marginal probabilities over the compressed cells of its attributes. */
  potentials: number[][];
  /** The attribute sets AIM measured, in the order it measured them (1-ways first). */
  measured: number[][];
  privacy: DpRecord;
  warnings: string[];
}

/** Compressed sizes of the attributes. */
export function aimSizes(model: Pick<AimModel, "compression">): number[] {
  return model.compression.map((c) => c.groups.length);
}

/** The first structural defect of an AIM model (a file edited by hand), or null. */
export function aimModelProblem(model: AimModel): string | null {
  if (
    !Array.isArray(model.attributes) ||
    !Array.isArray(model.compression) ||
    !Array.isArray(model.cliques) ||
    !Array.isArray(model.order) ||
    !Array.isArray(model.parent) ||
    !Array.isArray(model.potentials) ||
    !Array.isArray(model.measured)
  ) {
    return "attributes, compression, cliques, order, parent, potentials or measured missing";
  }
  const d = model.attributes.length;
  if (model.compression.length !== d) return "attributes and compression differ in length";
  const k = model.cliques.length;
  if (model.order.length !== k || model.parent.length !== k || model.potentials.length !== k) return "the junction tree's arrays differ in length";
  if (typeof model.privacy !== "object" || model.privacy === null || !(model.privacy.epsilon > 0)) return "privacy record missing";
  const sizes = aimSizes(model);
  for (let i = 0; i < d; i++) {
    if (model.compression[i]!.groups.some((group) => group.some((cell) => !(Number.isInteger(cell) && cell >= 0 && cell < model.attributes[i]!.size))))
      return `attribute ${i} has an unknown cell`;
  }
  const covered = new Set<number>();
  const seen = new Set<number>();
  for (const [position, c] of model.order.entries()) {
    if (!Number.isInteger(c) || c < 0 || c >= k || seen.has(c)) return "the clique order is not a permutation";
    const parent = model.parent[c]!;
    if (position === 0 ? parent !== -1 : !seen.has(parent)) return `clique ${c} comes before its parent`;
    seen.add(c);
    const clique = model.cliques[c]!;
    if (!Array.isArray(clique) || clique.some((a, n) => !Number.isInteger(a) || a < 0 || a >= d || (n > 0 && a <= clique[n - 1]!)))
      return `clique ${c} is not a sorted list of attributes`;
    let cells = 1;
    for (const a of clique) {
      cells *= sizes[a]!;
      covered.add(a);
    }
    const potential = model.potentials[c]!;
    if (!Array.isArray(potential) || potential.length !== cells || potential.some((p) => !(p >= 0)))
      return `clique ${c} has a probability table of the wrong size or with negative entries`;
  }
  if (covered.size !== d) return "an attribute is in no clique";
  return null;
}
