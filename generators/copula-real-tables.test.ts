/**
 * Fit + sample on the real tables the issue names, asserting the statistics a user checks:
 * per-column distributions, category frequencies, null rates, rank correlations of numerical
 * pairs. Every bound = sampling noise at these sizes + the model's own, documented error.
 */
import { describe, expect, test } from "vitest";
import { loadTable, type Table } from "../tabular/index.js";
import { sampleTable } from "./copula-sampler.js";
import { ksStatistic, spearman } from "./two-sample-statistics.js";
import { fitGaussianCopula } from "./fit-copula.js";
import { normalCdf } from "./normal-distribution.js";

const VEGA = "node_modules/vega-datasets/data";
const TABLES = [
  { name: "penguins", path: `${VEGA}/penguins.json` },
  { name: "cars", path: `${VEGA}/cars.json` },
  { name: "seattle-weather", path: `${VEGA}/seattle-weather.csv` },
  { name: "movies", path: `${VEGA}/movies.json` },
  { name: "birdstrikes", path: `${VEGA}/birdstrikes.csv` },
  { name: "adult", path: "fixtures/adult/adult.csv" },
];

function presentSorted(values: Float64Array): Float64Array {
  return Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
}

/**
 * KS distance between the marginal a model tabulates — value v_k at knot z_k carries probability
 * Φ(z_k), so F(x) = max{Φ(z_k) : v_k ≤ x} to within one knot (ΔΦ ≤ 0.0009) — and the sorted data.
 */
function tableKs(table: readonly number[], grid: { min: number; max: number; knots: number }, sorted: Float64Array): number {
  const probability = (k: number) => normalCdf(grid.min + ((grid.max - grid.min) * k) / (grid.knots - 1));
  let distance = 0;
  let below = 0; // knots with value < x
  let atMost = 0; // knots with value ≤ x
  for (let i = 0; i < sorted.length; ) {
    const x = sorted[i]!;
    let last = i;
    while (last + 1 < sorted.length && sorted[last + 1] === x) last++;
    while (below < table.length && table[below]! < x) below++;
    atMost = Math.max(atMost, below);
    while (atMost < table.length && table[atMost]! <= x) atMost++;
    const before = below === 0 ? 0 : probability(below - 1);
    const after = atMost === 0 ? 0 : probability(atMost - 1);
    distance = Math.max(distance, Math.abs(before - i / sorted.length), Math.abs(after - (last + 1) / sorted.length));
    i = last + 1;
  }
  return distance + 0.001;
}

function frequencies(codes: Int32Array, categories: number): Float64Array {
  const f = new Float64Array(categories + 1); // last slot: null
  for (const c of codes) f[c < 0 ? categories : c]! += 1 / codes.length;
  return f;
}

function numericColumns(table: Table): { name: string; values: Float64Array }[] {
  return table.columns.flatMap((c) => ("values" in c && c.values instanceof Float64Array ? [{ name: c.schema.name, values: c.values }] : []));
}

describe.each(TABLES)("Gaussian copula on $name", ({ path }) => {
  test("marginals, category frequencies, null rates and rank correlations are kept", async () => {
    const { table: real } = await loadTable(path);
    const model = fitGaussianCopula(real);
    const n = real.rowCount;
    const m = Math.max(n, 20_000);
    const synthetic = await sampleTable(model, m, { seed: 7 });
    expect(synthetic.rowCount).toBe(m);

    real.columns.forEach((realColumn, index) => {
      const synthColumn = synthetic.columns[index]!;
      const columnModel = model.columns[index]!;
      if ("codes" in realColumn && "codes" in synthColumn) {
        const k = realColumn.categories.length;
        const p = frequencies(realColumn.codes, k);
        const q = frequencies(synthColumn.codes, k);
        // TV ≤ ½ Σ_k 4·sd_k: each synthetic frequency is multinomial around the training
        // frequency p_k (sd √(p_k(1−p_k)/m)); 4 sd per category is conservative.
        let tv = 0;
        let bound = 0;
        for (let c = 0; c <= k; c++) {
          tv += Math.abs(p[c]! - q[c]!) / 2;
          bound += 2 * Math.sqrt((p[c]! * (1 - p[c]!)) / m);
        }
        expect(tv, `TV of ${realColumn.schema.name}`).toBeLessThanOrEqual(bound + 1e-9);
      } else if (columnModel.kind === "numeric" && "values" in realColumn && realColumn.values instanceof Float64Array) {
        const a = presentSorted(realColumn.values);
        const b = presentSorted((synthColumn as { values: Float64Array }).values);
        const realNullRate = 1 - a.length / n;
        const synthNullRate = 1 - b.length / m;
        // Null indicator is a Bernoulli(p) per synthetic row: 4 sd.
        expect(Math.abs(realNullRate - synthNullRate), `null rate of ${columnModel.name}`).toBeLessThanOrEqual(
          4 * Math.sqrt((realNullRate * (1 - realNullRate)) / m) + 1e-9,
        );
        if (a.length === 0) {
          expect(b.length).toBe(0);
          return;
        }
        // Two-sample KS at the 0.1% level, 1.95·√(1/n + 1/m), plus the fitted marginal's KS
        // distance to the data — measured here from the model's own table, not taken from the
        // model — and 0.005 for rounding.
        const dimension = columnModel.valueDimension === null ? undefined : model.dimensions[columnModel.valueDimension];
        const modelDistance = dimension?.table === undefined ? 0 : tableKs(dimension.table, model.zGrid, a);
        const crit = 1.95 * Math.sqrt(1 / a.length + 1 / b.length) + modelDistance + 0.005;
        expect(ksStatistic(a, b), `KS of ${columnModel.name} (${columnModel.marginal?.family})`).toBeLessThanOrEqual(crit);
        // Values stay inside the observed range.
        expect(b[0]!).toBeGreaterThanOrEqual(a[0]!);
        expect(b[b.length - 1]!).toBeLessThanOrEqual(a[a.length - 1]!);
      }
    });

    // Rank correlations of numerical pairs. Sampling sd of Spearman's ρ ≈ 1/√(n−1) for the real
    // table and 1/√m for the synthetic one: 3 sd of both, plus 0.06 for what a Gaussian copula
    // cannot express (ties and non-monotone dependence). When one value holds ≥ 90% of a column
    // (birdstrikes' costs are 98% zeros and Total = Other + Repair exactly), Spearman's ρ mostly
    // measures whether the atoms co-occur, which a Gaussian copula only approximates: there we
    // require the sign and at least 70% of the strength.
    const realNumeric = numericColumns(real);
    const synthNumeric = numericColumns(synthetic);
    const atomShare = (values: Float64Array) => {
      const sorted = presentSorted(values);
      let best = 0;
      for (let s = 0, e = 0; s < sorted.length; s = e) {
        while (e < sorted.length && sorted[e] === sorted[s]) e++;
        best = Math.max(best, (e - s) / sorted.length);
      }
      return best;
    };
    for (let i = 0; i < realNumeric.length; i++) {
      for (let j = 0; j < i; j++) {
        const r = spearman(realNumeric[i]!.values, realNumeric[j]!.values);
        if (Number.isNaN(r)) continue;
        const s = spearman(synthNumeric[i]!.values, synthNumeric[j]!.values);
        const label = `Spearman ${realNumeric[i]!.name} × ${realNumeric[j]!.name}: real ${r.toFixed(3)}, synthetic ${s.toFixed(3)}`;
        const noise = 3 * (1 / Math.sqrt(n - 1) + 1 / Math.sqrt(m));
        if (Math.max(atomShare(realNumeric[i]!.values), atomShare(realNumeric[j]!.values)) >= 0.9) {
          expect(Math.abs(s), label).toBeGreaterThanOrEqual(0.7 * Math.abs(r) - noise);
          if (Math.abs(r) > noise) expect(Math.sign(s), label).toBe(Math.sign(r));
        } else {
          expect(Math.abs(r - s), label).toBeLessThanOrEqual(noise + 0.06);
        }
      }
    }
  });
});
