import { readFileSync } from "node:fs";
import { test } from "vitest";
import { scoreTables } from "../benchmarks/index.js";
import { tableFromCsv } from "../benchmarks/csv-table.js";
import { loadSdmetricsCase } from "../benchmarks/sdmetrics-case.js";
import { fitGaussianCopula, sampleTable } from "./index.js";
test("dcr", async () => {
  const c = loadSdmetricsCase("adult-2k");
  const lines = readFileSync("fixtures/adult/adult.csv", "utf8").trimEnd().split("\n");
  const fresh = tableFromCsv([lines[0], ...lines.slice(2001, 4001)].join("\n"), c.schema);
  const fresh2 = tableFromCsv([lines[0], ...lines.slice(4001, 6001)].join("\n"), c.schema);
  const ours = await sampleTable(fitGaussianCopula(c.real), 2000, { seed: 0n });
  for (const [label, t] of [["fresh real rows", fresh2], ["ours", ours], ["reference", c.synthetic.gaussian_copula!]] as const) {
    const r = await scoreTables(c.real, t, { holdout: fresh, seed: 0 });
    console.log(label, "quality", r.quality.score.toFixed(4), "dcrBase", r.privacy!.dcrBaselineProtection.score.toFixed(4), "medSyn", r.privacy!.dcrBaselineProtection.medianDcrSyntheticToReal.toFixed(4), "overfit", r.privacy!.dcrOverfittingProtection!.score.toFixed(4), r.privacy!.dcrOverfittingProtection!.closerToTraining.toFixed(3), "MIA auc", r.privacy!.membershipInference?.auc.toFixed(3), "nrs", r.privacy!.newRowSynthesis.score);
  }
}, 300000);
