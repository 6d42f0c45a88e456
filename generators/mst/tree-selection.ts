/**
 * Maximum spanning trees over the attributes, by Kruskal's algorithm (1956) grown one edge at a
 * time: the exact version picks the heaviest edge joining two components (Chow & Liu 1968, with
 * mutual information as the weight); the private version picks it with the exponential mechanism
 * (MST, McKenna, Miklau & Sheldon 2021, Algorithm 1 "select"): each of the d − 1 rounds is one
 * exponential-mechanism draw among the edges that join two different components.
 */
import { exponentialMechanism, type PrivacySource } from "../../privacy/index.js";

export type Edge = readonly [number, number];

class Components {
  private readonly root: Int32Array;
  constructor(size: number) {
    this.root = Int32Array.from({ length: size }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.root[r] !== r) r = this.root[r]!;
    // Path compression.
    let k = i;
    while (this.root[k] !== r) {
      const next = this.root[k]!;
      this.root[k] = r;
      k = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    this.root[this.find(a)] = this.find(b);
  }
}

/** All pairs (i, j), i < j, in a fixed order. */
export function allPairs(d: number): Edge[] {
  const pairs: Edge[] = [];
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) pairs.push([i, j]);
  return pairs;
}

/** The maximum spanning tree by weight (ties: the earlier pair). */
export function maximumSpanningTree(d: number, pairs: readonly Edge[], weights: ArrayLike<number>): Edge[] {
  const sorted = pairs.map((pair, k) => ({ pair, weight: weights[k]!, k })).sort((x, y) => y.weight - x.weight || x.k - y.k);
  const components = new Components(d);
  const tree: Edge[] = [];
  for (const { pair } of sorted) {
    if (components.find(pair[0]) === components.find(pair[1])) continue;
    components.union(pair[0], pair[1]);
    tree.push(pair);
  }
  return tree;
}

/**
 * d − 1 exponential-mechanism rounds with parameter `epsilonPerRound` over the edges joining two
 * components; `scores` (higher is better) must have sensitivity `sensitivity`. ρ spent:
 * (d − 1) · ε²/8 (Cesar & Rogers 2021).
 */
export function privateSpanningTree(
  d: number,
  pairs: readonly Edge[],
  scores: ArrayLike<number>,
  epsilonPerRound: number,
  sensitivity: number,
  source: PrivacySource,
): Edge[] {
  const components = new Components(d);
  const tree: Edge[] = [];
  for (let round = 0; round < d - 1; round++) {
    const candidates: number[] = [];
    for (let k = 0; k < pairs.length; k++) if (components.find(pairs[k]![0]) !== components.find(pairs[k]![1])) candidates.push(k);
    const chosen =
      candidates[
        exponentialMechanism(
          candidates.map((k) => scores[k]!),
          epsilonPerRound,
          sensitivity,
          source,
        )
      ]!;
    const pair = pairs[chosen]!;
    components.union(pair[0], pair[1]);
    tree.push(pair);
  }
  return tree;
}
