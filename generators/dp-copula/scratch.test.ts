import { it } from "vitest";
import { loadTable } from "../../tabular/index.js";
import { scoreTables } from "../../benchmarks/index.js";
import { createSeededSource } from "../../privacy/index.js";
import { fitDpCopula } from "./fit-dp-copula.js";
import { sampleTable } from "../copula-sampler.js";
import { checkDpRequest } from "../dp-request.js";

it("scratch", async () => {
  const { table, schema } = await loadTable("fixtures/adult/adult.csv");
  const withCats = { ...schema, columns: schema.columns.map((c, i) => (c.type === "categorical" ? { ...c, categories: [...(table.columns[i] as any).categories] } : c)) };
  for (const eps of [0.1, 1, 10]) {
    const q: number[] = [];
    for (const seed of [1, 2, 3]) {
      const t = performance.now();
      const req = checkDpRequest("dp-copula", eps, undefined, table.rowCount)!;
      const m = fitDpCopula(table, withCats, req, createSeededSource(seed));
      const fitMs = performance.now() - t;
      const s = await sampleTable(m, table.rowCount, { seed });
      const r = await scoreTables(table, s, { privacy: false });
      q.push(r.quality.score);
      if (seed === 1) console.log("detail", eps, fitMs.toFixed(0), r.quality.columnShapes.toFixed(4), r.quality.columnPairTrends.toFixed(4));
    }
    console.log("RESULT", eps, q.map((x) => x.toFixed(4)).join(" "), "mean", (q.reduce((a, b) => a + b) / q.length).toFixed(4));
  }
}, 600000);
