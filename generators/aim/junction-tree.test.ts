import { describe, expect, test } from "vitest";
import { cellCount, isSubset, logSumExp, projectionMap, sizesOf } from "./factor.js";
import { buildJunctionTree, calibrate, cliqueCounts, junctionTreeCells, TreeMaps } from "./junction-tree.js";
import { estimateMarginals, type Measurement, pairMarginalsWith } from "./marginal-estimator.js";

/** A small deterministic generator (mulberry32) for random potentials. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The joint distribution of all attributes by enumerating every cell: exp(Σ factors) / Z. */
function bruteForceJoint(sizes: number[], factors: { attributes: number[]; values: Float64Array }[]): Float64Array {
  const all = sizes.map((_, i) => i);
  const logJoint = new Float64Array(cellCount(sizes));
  for (const f of factors) {
    const map = projectionMap(all, sizes, f.attributes);
    for (let x = 0; x < logJoint.length; x++) logJoint[x]! += f.values[map[x]!]!;
  }
  const z = logSumExp(logJoint);
  return logJoint.map((v) => Math.exp(v - z));
}

function marginalOf(joint: Float64Array, sizes: number[], subset: number[]): Float64Array {
  const map = projectionMap(
    sizes.map((_, i) => i),
    sizes,
    subset,
  );
  const out = new Float64Array(cellCount(sizesOf(subset, sizes)));
  for (let x = 0; x < joint.length; x++) out[map[x]!]! += joint[x]!;
  return out;
}

// Six attributes, factors making a cycle (0-1-2-3-0, needs a fill edge), a triple and a loose pair.
const sizes = [3, 2, 4, 3, 2, 3];
const sets = [
  [0, 1],
  [1, 2],
  [2, 3],
  [0, 3],
  [3, 4, 5],
  [1, 5],
];

describe("junction tree", () => {
  test("is a valid junction tree: every factor set in a clique, running intersection holds", () => {
    const tree = buildJunctionTree(sizes, sets);
    for (const s of sets) expect(tree.cliques.some((c) => isSubset(s, c))).toBe(true);
    // Running intersection: the cliques holding an attribute form a connected subtree (exactly one has its parent outside).
    for (let a = 0; a < sizes.length; a++) {
      const holding = tree.cliques.map((c, i) => (c.includes(a) ? i : -1)).filter((i) => i >= 0);
      const tops = holding.filter((i) => tree.parent[i]! < 0 || !tree.cliques[tree.parent[i]!]!.includes(a));
      expect(tops).toHaveLength(1);
    }
    expect(junctionTreeCells(tree)).toBe(tree.cliques.reduce((s, c) => s + cellCount(sizesOf(c, sizes)), 0));
  });

  test("belief propagation gives every clique marginal of a random model to 1e-9 of brute-force enumeration", () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const factors = sets.map((attributes) => ({
        attributes,
        values: Float64Array.from({ length: cellCount(sizesOf(attributes, sizes)) }, () => 3 * (next() - 0.5)),
      }));
      const tree = buildJunctionTree(sizes, sets);
      const maps = new TreeMaps(tree);
      const potentials = tree.cliques.map((c) => new Float64Array(cellCount(sizesOf(c, sizes))));
      for (const f of factors) {
        const home = tree.cliques.findIndex((c) => isSubset(f.attributes, c));
        const map = projectionMap(tree.cliques[home]!, sizesOf(tree.cliques[home]!, sizes), f.attributes);
        for (let x = 0; x < potentials[home]!.length; x++) potentials[home]![x]! += f.values[map[x]!]!;
      }
      const calibration = calibrate(maps, potentials);
      const counts = cliqueCounts(calibration, 1);
      const joint = bruteForceJoint(sizes, factors);
      tree.cliques.forEach((clique, c) => {
        const exact = marginalOf(joint, sizes, clique);
        for (let x = 0; x < exact.length; x++) expect(Math.abs(counts[c]![x]! - exact[x]!)).toBeLessThan(1e-9);
      });
      // log Z against enumeration of the unnormalised product.
      const all = sizes.map((_, i) => i);
      const logJoint = new Float64Array(cellCount(sizes));
      for (const f of factors) {
        const map = projectionMap(all, sizes, f.attributes);
        for (let x = 0; x < logJoint.length; x++) logJoint[x]! += f.values[map[x]!]!;
      }
      expect(Math.abs(calibration.logPartition - logSumExp(logJoint))).toBeLessThan(1e-9);

      // Pairs that no clique holds, carried across the tree.
      const model = { tree, maps, total: 1, counts, potentials: new Map(), loss: 0 };
      for (let i = 0; i < sizes.length; i++) {
        const others = new Set(all.filter((j) => j !== i));
        const pairs = pairMarginalsWith(model, i, others);
        expect(pairs.size).toBe(sizes.length - 1);
        for (const [j, values] of pairs) {
          const exact = marginalOf(joint, sizes, i < j ? [i, j] : [j, i]);
          for (let x = 0; x < exact.length; x++) expect(Math.abs(values[x]! - exact[x]!)).toBeLessThan(1e-9);
        }
      }
    }
  });
});

describe("marginal estimator (Private-PGM mirror descent)", () => {
  test("noise-free measurements of a consistent model are recovered", () => {
    const next = random(9);
    const factors = sets.map((attributes) => ({
      attributes,
      values: Float64Array.from({ length: cellCount(sizesOf(attributes, sizes)) }, () => 2 * (next() - 0.5)),
    }));
    const joint = bruteForceJoint(sizes, factors);
    const total = 1000;
    const measured = [[0], [1], [2], [3], [4], [5], ...sets];
    const measurements: Measurement[] = measured.map((attributes) => ({ attributes, y: marginalOf(joint, sizes, attributes).map((p) => p * total), sigma: 1 }));
    const model = estimateMarginals(sizes, measurements, total, { iterations: 3000 });
    // The data come from a model in the family, so the loss's minimum is 0 and every measured marginal is met.
    for (const m of measurements) {
      const home = model.tree.cliques.findIndex((c) => isSubset(m.attributes, c));
      const clique = model.tree.cliques[home]!;
      const map = projectionMap(clique, sizesOf(clique, sizes), m.attributes);
      const mu = new Float64Array(m.y.length);
      for (let x = 0; x < map.length; x++) mu[map[x]!]! += model.counts[home]![x]!;
      // 0.05 of 1000 rows: well inside a row, where a wrong estimator (independence) misses by tens.
      for (let x = 0; x < mu.length; x++) expect(Math.abs(mu[x]! - m.y[x]!)).toBeLessThan(0.05);
    }
    expect(model.loss).toBeLessThan(1e-3);
  });
});
