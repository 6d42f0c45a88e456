import { test } from "vitest";
import { loadTable } from "../tabular/index.js";
import { fitGaussianCopula } from "./fit-copula.js";
test("scratch", async () => {
  const { table } = await loadTable("node_modules/vega-datasets/data/birdstrikes.csv");
  const model = fitGaussianCopula(table);
  const d = model.dimensions.length;
  const names = model.dimensions.map((x) => model.columns[x.column]!.name.slice(0, 14) + ":" + x.role[0]);
  for (let i = 0; i < d; i++) console.log(names[i]!.padEnd(18), model.correlation.slice(i * d, i * d + d).map((v) => v.toFixed(2).padStart(5)).join(" "));
  console.log(model.warnings);
});
