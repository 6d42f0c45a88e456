/**
 * Benchmark suite "privacy" (module shape of benchmarks/perf/run.ts: `name` and `run()`):
 * - exact discrete Gaussian / Laplace noise throughput (samples/s) from node:crypto, on a vector of
 *   the size MST measures on Adult (1-way and 2-way marginals: tens of thousands of cells);
 * - exact exponential-mechanism selections per second over the candidate count of MST on Adult;
 * - membership-inference AUC and audited ε lower bound of the count mechanism, MST and the DP
 *   copula at ε ∈ {0.3, 1, 3} (the synthesizers on the audit's neighbouring Adult slices).
 * Standalone: `node dist/privacy/privacy.bench.js [out.json]` after compiling it (command in privacy/README.md).
 */
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import { checkDpRequest, fitDpCopula, fitMst } from "../generators/index.js";
import { loadTable } from "../tabular/index.js";
import { neighbouringTables } from "./audit/canary-tables.js";
import { auditThresholdAttack } from "./audit/index.js";
import { copulaCanaryFrequency, mstCanaryProbability } from "./audit/synthesizer-scores.js";
import { exponentialMechanism } from "./exponential-mechanism.js";
import { discreteGaussianNoise, discreteLaplaceNoise } from "./noise.js";
import { createCryptoSource } from "./random-source.js";
import { gaussianSigmaForRho, rhoFromEpsilonDelta } from "./zcdp.js";

export const name = "privacy";

function timeSamples(cells: number, add: (values: Float64Array) => Float64Array): { samplesPerSecond: number; seconds: number } {
  const values = new Float64Array(cells).fill(100);
  add(values.subarray(0, 1000)); // warm-up
  const started = performance.now();
  add(values);
  const seconds = (performance.now() - started) / 1000;
  return { samplesPerSecond: Math.round(cells / seconds), seconds: Number(seconds.toFixed(4)) };
}

export async function run(): Promise<Record<string, unknown>> {
  const source = createCryptoSource();
  const cells = 50_000;
  const gaussian: Record<string, unknown> = {};
  for (const sigma of [1, 5, 30, 300, 3000]) gaussian[`sigma_${sigma}`] = timeSamples(cells, (v) => discreteGaussianNoise(v, sigma, source));
  const laplace: Record<string, unknown> = {};
  for (const scale of [1, 10, 100]) laplace[`scale_${scale}`] = timeSamples(cells, (v) => discreteLaplaceNoise(v, scale, source));

  // MST on Adult: 15 attributes → 105 candidate pairs per selection round.
  const scores = Float64Array.from({ length: 105 }, (_, i) => 1000 * Math.sin(i) + 2000);
  const selections = 2000;
  const emStarted = performance.now();
  for (let i = 0; i < selections; i++) exponentialMechanism(scores, 0.05, 1, source);
  const emSeconds = (performance.now() - emStarted) / 1000;

  // Membership inference on the count mechanism: canary row in or out, 20,000 runs per world.
  const membership: Record<string, unknown> = {};
  for (const epsilon of [0.3, 1, 3]) {
    const delta = 1e-9;
    const sigma = gaussianSigmaForRho(1, rhoFromEpsilonDelta(epsilon, delta));
    const trials = 20_000;
    const without = discreteGaussianNoise(new Float64Array(trials).fill(500), sigma, source);
    const withCanary = discreteGaussianNoise(new Float64Array(trials).fill(501), sigma, source);
    const audit = auditThresholdAttack(without, withCanary, delta, 0.05);
    membership[`epsilon_${epsilon}`] = {
      sigma: Number(sigma.toFixed(4)),
      trialsPerWorld: trials,
      auc: Number(audit.auc.toFixed(4)),
      epsilonLowerBound95: Number(audit.epsilonLowerBound.toFixed(4)),
    };
  }
  // Membership inference on the synthesizers: the audit's canary, 300 fits per world and ε.
  const { table, schema } = await loadTable("fixtures/adult/adult.csv");
  const synthesizers: Record<string, unknown> = {};
  for (const fit of ["mst", "dp-copula"] as const) {
    // Each fit's own neighbouring relation: MST add-or-remove, the DP copula replace-one.
    const tables = neighbouringTables(
      table,
      schema,
      ["workclass", "education", "marital-status", "sex", "race", "income"],
      "race",
      2000,
      fit === "mst" ? "add" : "replace",
    );
    for (const epsilon of [0.3, 1, 3]) {
      const request = checkDpRequest(fit, epsilon, 1e-9, tables.withCanary.rowCount)!;
      const trials = 300;
      const without = new Float64Array(trials);
      const withCanary = new Float64Array(trials);
      const started = performance.now();
      for (let i = 0; i < trials; i++) {
        for (const [world, out] of [
          [tables.without, without],
          [tables.withCanary, withCanary],
        ] as const) {
          const model = fit === "mst" ? fitMst(world, tables.schema, request, source) : fitDpCopula(world, tables.schema, request, source);
          out[i] = "probabilities" in model ? mstCanaryProbability(model, "race") : copulaCanaryFrequency(model, "race");
        }
      }
      const audit = auditThresholdAttack(without, withCanary, 1e-9, 0.05);
      synthesizers[`${fit}_epsilon_${epsilon}`] = {
        trialsPerWorld: trials,
        auc: Number(audit.auc.toFixed(4)),
        epsilonLowerBound95: Number(audit.epsilonLowerBound.toFixed(4)),
        secondsPerFit: Number(((performance.now() - started) / 1000 / (2 * trials)).toFixed(4)),
      };
    }
  }
  return {
    noiseCells: cells,
    discreteGaussian: gaussian,
    discreteLaplace: laplace,
    exponentialMechanism: { candidates: scores.length, epsilon: 0.05, selectionsPerSecond: Math.round(selections / emSeconds) },
    countMechanismMembershipInference: { delta: 1e-9, ...membership },
    synthesizerMembershipInference: {
      delta: 1e-9,
      rows: 2000,
      columns: 6,
      canary: "race value only the schema declares; added (MST) or replacing the last row (DP copula)",
      ...synthesizers,
    },
  };
}

if (process.argv[1]?.endsWith("privacy.bench.js")) {
  const result = {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
    startedAt: new Date().toISOString(),
    privacy: await run(),
  };
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (process.argv[2] !== undefined) writeFileSync(process.argv[2], text);
  process.stdout.write(text);
}
