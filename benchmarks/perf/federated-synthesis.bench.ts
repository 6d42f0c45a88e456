/**
 * Federated synthesis (issue 13, item 5): MST over 3 holders of Adult split by marital status
 * (generators/federated/testing/adult-slices.ts), each at ε = 1 (δ = 1e-9) with its own noise,
 * against MST fitted on the pooled rows at ε = 1. Target: mean quality over seeds 1–3 within 0.03
 * of the pooled model's. Both corpora (32,561 rows) are scored against the pooled rows
 * (SDMetrics-identical Quality), and the federated corpus also by the holders' merged report
 * (each holder scores it against its own rows; merge-quality.ts), to measure how far that merged
 * score is from the pooled one. Seeds 4–6 are run too, as a wider view of the seed spread.
 * Wall times (fit: all three rounds with every measurement serialized and parsed; sample) and the
 * machine load (`uptime`): other helpers share this machine.
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { checkDpRequest, fitMst, type MstModel, runFederatedMst, sampleSynthTable } from "../../generators/index.js";
import { encodeTable, privateDomainFromSchema } from "../../generators/discrete-domain.js";
import { federatedAccounting } from "../../generators/federated/federated-budget.js";
import { planSelection, type TreePlan } from "../../generators/federated/federated-plan.js";
import { fitFederatedMst } from "../../generators/federated/fit-federated-mst.js";
import { measureOneWays, measureTreeMarginals } from "../../generators/federated/holder-measurements.js";
import { adultHolders } from "../../generators/federated/testing/adult-slices.js";
import { countPairs, l1FromIndependence } from "../../generators/mst/contingency.js";
import { allPairs, maximumSpanningTree } from "../../generators/mst/tree-selection.js";
import { createSeededSource } from "../../privacy/index.js";
import type { Table } from "../../tabular/index.js";
import { mergeHolderQuality, type QualityResult, scoreTables } from "../index.js";

export const name = "federated-synthesis";

const EPSILON = 1;
const SEEDS = [1, 2, 3];
const MORE_SEEDS = [4, 5, 6];

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return `load average ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(", ")}`;
  }
}

function summary(q: QualityResult) {
  return {
    quality: round4(q.score),
    columnShapes: round4(q.columnShapes),
    columnPairTrends: round4(q.columnPairTrends),
    allPairsTrends: round4(q.allPairsTrends),
  };
}

/**
 * The smallest synthetic education-num: 1 in the real table (51 rows). When its noisy cell drops to
 * 0 the minimum becomes 2, and SDMetrics bins each table's own range, which halves the pair scores
 * of education-num — the cause of the seeds whose quality falls by ~0.03.
 */
function educationNumMinimum(table: Table): number {
  const column = table.columns.find((c) => c.schema.name === "education-num");
  let min = Number.POSITIVE_INFINITY;
  if (column !== undefined && "values" in column && column.values instanceof Float64Array) for (const v of column.values) if (v < min) min = v;
  return min;
}

/**
 * Diagnostic, not private: the same rounds 1 and 3 with the tree chosen from the EXACT pooled
 * scores ‖M_ij − n̂ p̂_i ⊗ p̂_j‖₁ (what MST's exponential mechanism would see with no noise).
 * It shows how much of the gap the federated selection step costs.
 */
async function exactTreeQuality(pooled: Table, schema: Parameters<typeof planSelection>[0], contexts: Parameters<typeof measureOneWays>[0][], seed: number) {
  const oneWay = contexts.map((c) => measureOneWays(c));
  const plan = planSelection(schema, oneWay);
  const domain = privateDomainFromSchema(schema);
  const d = domain.attributes.length;
  const codes = encodeTable(pooled, domain).map((c, i) => Int32Array.from(c, (v) => plan.compression[i]!.map[v]!));
  const sizes = plan.compression.map((c) => c.attribute.groups.length);
  const independent = plan.independent.map((p) => Float64Array.from(p, (v) => v * plan.rows));
  const pairs = allPairs(d);
  const scores = pairs.map(([i, j]) => l1FromIndependence(countPairs(codes[i]!, sizes[i]!, codes[j]!, sizes[j]!), independent[i]!, independent[j]!));
  const treePlan: TreePlan = { round: "tree", domain: plan.domain, compression: plan.compression, tree: maximumSpanningTree(d, pairs, scores) };
  const tree = contexts.map((c) => measureTreeMarginals(c, treePlan));
  const model = fitFederatedMst(schema, oneWay, tree, treePlan, federatedAccounting(contexts, d));
  return (await scoreTables(pooled, await sampleSynthTable(model, pooled.rowCount, { seed }), { privacy: false })).quality.score;
}

/** Tree edges as column-name pairs, to compare the federated tree with the pooled one. */
function edges(model: MstModel): string[] {
  return model.parent
    .map((p, i) => (p < 0 ? "" : [model.attributes[p]!.name, model.attributes[i]!.name].sort().join(" — ")))
    .filter((e) => e !== "")
    .sort();
}

export async function run(): Promise<Record<string, unknown>> {
  const load = { before: uptime() };
  const { pooled, schema, holders } = await adultHolders();
  const request = checkDpRequest("mst", EPSILON, undefined, undefined)!;
  const runs: Record<string, unknown>[] = [];
  const gaps: number[] = [];
  const byseed = { federated: [] as number[], pooled: [] as number[] };
  for (const seed of [...SEEDS, ...MORE_SEEDS]) {
    (globalThis as { gc?: () => void }).gc?.();
    let started = performance.now();
    const federated = runFederatedMst(
      schema,
      holders.map((h) => ({ ...h, request, source: createSeededSource(`${seed}-${h.holder}`) })),
    );
    const federatedFitSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const federatedCorpus: Table = await sampleSynthTable(federated.model, pooled.rowCount, { seed });
    const federatedSampleSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const pooledModel = fitMst(pooled, schema, request, createSeededSource(seed));
    const pooledFitSeconds = (performance.now() - started) / 1000;
    const pooledCorpus = await sampleSynthTable(pooledModel, pooled.rowCount, { seed });

    const federatedQuality = (await scoreTables(pooled, federatedCorpus, { privacy: false })).quality;
    const pooledQuality = (await scoreTables(pooled, pooledCorpus, { privacy: false })).quality;
    started = performance.now();
    const parts = [];
    for (const h of holders)
      parts.push({ holder: h.holder, rows: h.table.rowCount, quality: (await scoreTables(h.table, federatedCorpus, { privacy: false })).quality });
    const merged = mergeHolderQuality(parts);
    const scoringSeconds = (performance.now() - started) / 1000;
    const federatedEdges = edges(federated.model);
    const pooledEdges = new Set(edges(pooledModel));
    const gap = pooledQuality.score - federatedQuality.score;
    const withExactTree = await exactTreeQuality(
      pooled,
      schema,
      holders.map((h) => ({ ...h, schema, request, source: createSeededSource(`${seed}-${h.holder}`) })),
      seed,
    );
    if (SEEDS.includes(seed)) {
      gaps.push(gap);
      byseed.federated.push(federatedQuality.score);
      byseed.pooled.push(pooledQuality.score);
    }
    runs.push({
      seed,
      federated: { ...summary(federatedQuality), fitSeconds: round4(federatedFitSeconds), sampleSeconds: round4(federatedSampleSeconds) },
      pooled: { ...summary(pooledQuality), fitSeconds: round4(pooledFitSeconds) },
      gap: round4(gap),
      federatedWithTreeFromExactPooledScores: round4(withExactTree),
      syntheticEducationNumMinimum: { federated: educationNumMinimum(federatedCorpus), pooled: educationNumMinimum(pooledCorpus) },
      mergedHolderReport: {
        ...summary(merged),
        holders: merged.holders.map((h) => ({ ...h, score: round4(h.score) })),
        minusPooledScoreOfTheSameCorpus: round4(merged.score - federatedQuality.score),
        holderScoringSeconds: round4(scoringSeconds),
      },
      treeEdgesSharedWithPooledTree: federatedEdges.filter((e) => pooledEdges.has(e)).length,
      treeEdges: federatedEdges,
      measurementBytes: federated.measurementBytes,
    });
    process.stderr.write(
      `federated-synthesis: seed ${seed}: federated ${federatedQuality.score.toFixed(4)} pooled ${pooledQuality.score.toFixed(4)} merged report ${merged.score.toFixed(4)} (fit ${federatedFitSeconds.toFixed(2)} s)\n`,
    );
  }
  const all = runs as Array<{ federated: { quality: number }; pooled: { quality: number } }>;
  const first = runFederatedMst(
    schema,
    holders.map((h) => ({ ...h, request, source: createSeededSource(`1-${h.holder}`) })),
  ).accounting;
  return {
    table: {
      path: "fixtures/adult/adult.csv",
      rows: pooled.rowCount,
      split: "marital-status",
      holders: holders.map((h) => ({ holder: h.holder, rows: h.table.rowCount })),
    },
    epsilonPerHolder: EPSILON,
    delta: request.delta,
    noise: "seeded AES-256-CTR sources (per holder and seed; same distribution as node:crypto; rerunnable)",
    target: { meanQualityGap: 0.03, seeds: SEEDS },
    result: {
      meanFederatedQuality: round4(mean(byseed.federated)),
      meanPooledQuality: round4(mean(byseed.pooled)),
      meanGap: round4(mean(gaps)),
      met: mean(gaps) < 0.03,
      seeds1to6: {
        meanFederatedQuality: round4(mean(all.map((r) => r.federated.quality))),
        meanPooledQuality: round4(mean(all.map((r) => r.pooled.quality))),
      },
    },
    accounting: {
      perHolderRho: first.holders.map((h) => h.rho),
      summed: first.summed.map((s) => ({ step: s.step, count: s.count, sigma: round4(s.sigma), rhoOfSum: s.rhoOfSum })),
      epsilonOfSums: round4(first.epsilonOfSums),
    },
    runs,
    uptime: { ...load, after: uptime() },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
