/**
 * Conditional sampling: conditions hold exactly, correlated columns move the right way, and —
 * the real correctness check — the conditional law equals what brute-force rejection from the
 * unconditional sampler gives (same model, so any difference is the conditioning's error).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { loadTable, type Table } from "../tabular/index.js";
import type { CopulaModel } from "./copula-model.js";
import { CopulaSampler, sampleTable } from "./copula-sampler.js";
import { ConditionError } from "./errors.js";
import { fitGaussianCopula } from "./fit-copula.js";
import { ksStatistic } from "./two-sample-statistics.js";

function columnOf(table: Table, name: string) {
  const column = table.columns.find((c) => c.schema.name === name);
  if (column === undefined) throw new Error(`no column ${name}`);
  return column;
}

function numeric(table: Table, name: string): Float64Array {
  return (columnOf(table, name) as { values: Float64Array }).values;
}

function labels(table: Table, name: string): (string | null)[] {
  const column = columnOf(table, name) as { codes: Int32Array; categories: string[] };
  return Array.from(column.codes, (c) => (c < 0 ? null : column.categories[c]!));
}

const mean = (values: Float64Array) => values.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0) / values.filter((v) => !Number.isNaN(v)).length;

let adult: Table;
let adultModel: CopulaModel;

beforeAll(async () => {
  adult = (await loadTable("fixtures/adult/adult.csv")).table;
  adultModel = fitGaussianCopula(adult);
});

describe("conditions hold exactly and shift correlated columns", () => {
  test("Adult: education=Bachelors raises education-num to 13", async () => {
    const synthetic = await sampleTable(adultModel, 5000, { seed: 3, where: "education=Bachelors" });
    expect(labels(synthetic, "education").every((v) => v === "Bachelors")).toBe(true);
    // In the real data every Bachelors row has education-num 13; overall mean is ≈ 10.1.
    const share13 = numeric(synthetic, "education-num").filter((v) => v === 13).length / 5000;
    expect(share13).toBeGreaterThan(0.95);
  });

  test("Adult: sex=Female,age>40 — both hold; hours-per-week falls as in the real data", async () => {
    const synthetic = await sampleTable(adultModel, 5000, { seed: 4, where: "sex=Female,age>40" });
    expect(labels(synthetic, "sex").every((v) => v === "Female")).toBe(true);
    expect(numeric(synthetic, "age").every((v) => v >= 41)).toBe(true);
    const realSex = labels(adult, "sex");
    const realFemaleHours = numeric(adult, "hours-per-week").filter((_, i) => realSex[i] === "Female");
    const realHours = mean(numeric(adult, "hours-per-week"));
    expect(mean(realFemaleHours)).toBeLessThan(realHours - 2);
    expect(mean(numeric(synthetic, "hours-per-week"))).toBeLessThan(realHours - 1);
  });

  test("numeric equality, ranges, != and quoted names", async () => {
    const synthetic = await sampleTable(adultModel, 3000, { seed: 5, where: 'hours-per-week=40,"age">=25,age<=30,race!=White' });
    expect(numeric(synthetic, "hours-per-week").every((v) => v === 40)).toBe(true);
    expect(numeric(synthetic, "age").every((v) => v >= 25 && v <= 30)).toBe(true);
    expect(labels(synthetic, "race").includes("White")).toBe(false);
    expect(new Set(labels(synthetic, "race")).size).toBeGreaterThan(1);
  });

  test("penguins: Species=Gentoo gives heavy birds", async () => {
    const penguins = (await loadTable("node_modules/vega-datasets/data/penguins.json")).table;
    const model = fitGaussianCopula(penguins);
    const synthetic = await sampleTable(model, 4000, { seed: 6, where: "Species=Gentoo" });
    expect(labels(synthetic, "Species").every((v) => v === "Gentoo")).toBe(true);
    const species = labels(penguins, "Species");
    const realGentoo = mean(numeric(penguins, "Body Mass (g)").filter((_, i) => species[i] === "Gentoo"));
    const realAll = mean(numeric(penguins, "Body Mass (g)"));
    const synthGentoo = mean(numeric(synthetic, "Body Mass (g)"));
    expect(synthGentoo).toBeGreaterThan(realAll + 0.6 * (realGentoo - realAll));
    // Island given Gentoo: in the real data all Gentoo live on Biscoe.
    expect(labels(synthetic, "Island").filter((v) => v === "Biscoe").length / 4000).toBeGreaterThan(0.8);
  });
});

describe("the conditional law matches rejection sampling from the same model", () => {
  // Rejection: draw 150k unconditional rows, keep those meeting the condition. Both samples come
  // from the same fitted copula, so KS beyond the two-sample 0.1% critical value 1.95·√(1/a+1/b)
  // (+0.02 for the Gibbs chain's finite sweeps and the clamped integer edges) means the
  // conditioning is wrong.
  test.each([
    { where: "sex=Female", kept: (t: Table) => labels(t, "sex").map((v) => v === "Female"), check: ["age", "hours-per-week", "education-num"] },
    {
      where: "sex=Female,age>40",
      kept: (t: Table) => {
        const age = numeric(t, "age");
        return labels(t, "sex").map((v, i) => v === "Female" && age[i]! > 40);
      },
      check: ["hours-per-week", "education-num", "fnlwgt"],
    },
    {
      where: "relationship!=Husband,education-num>=13",
      kept: (t: Table) => {
        const years = numeric(t, "education-num");
        return labels(t, "relationship").map((v, i) => v !== "Husband" && years[i]! >= 13);
      },
      check: ["age", "hours-per-week"],
    },
    {
      // Two strongly correlated conditioned columns (latent ρ ≈ 0.85): the Gibbs chain needs its ~20 sweeps.
      where: "marital-status=Married-civ-spouse,relationship!=Husband",
      kept: (t: Table) => {
        const marital = labels(t, "marital-status");
        return labels(t, "relationship").map((v, i) => v !== "Husband" && marital[i] === "Married-civ-spouse");
      },
      check: ["age", "hours-per-week", "education-num"],
    },
  ])("$where", async ({ where, kept, check }) => {
    const pool = await sampleTable(adultModel, 150_000, { seed: 11 });
    const mask = kept(pool);
    const keep: number[] = [];
    for (let i = 0; i < pool.rowCount; i++) if (mask[i]) keep.push(i);
    const conditional = await sampleTable(adultModel, 8000, { seed: 12, where });
    for (const name of check) {
      const poolValues = numeric(pool, name);
      const a = Float64Array.from(keep, (i) => poolValues[i]!).sort();
      const b = Float64Array.from(numeric(conditional, name)).sort();
      const bound = 1.95 * Math.sqrt(1 / a.length + 1 / b.length) + 0.02;
      expect(ksStatistic(a, b), `${name} | ${where}`).toBeLessThanOrEqual(bound);
    }
  });
});

describe("impossible or malformed conditions are one-line ConditionErrors", () => {
  test.each([
    ["unknown column", "salary>3", /no column "salary"; the columns are/],
    ["unseen category", "sex=Femal", /"Femal" never occurs in column "sex"; its values are "Female", "Male"/],
    ["out of the observed range", "age>200", /outside the values .* observed range is \[17, 90\]/],
    ["contradictory ranges", "age>50,age<40", /contradict each other/],
    ["contradictory categories", "sex=Male,sex=Female", /leave no value of "sex" possible/],
    ["range on a categorical", "sex>3", /needs a numerical or datetime column/],
    ["text for a number", "age=old", /"old" is not a number/],
    ["!= on a number", "age!=3", /!= applies to categorical columns/],
    ["malformed", "age>>3", /malformed condition/],
    ["missing operator", "sex", /malformed condition/],
    ["unterminated quote", 'sex="Female', /unterminated quote/],
    ["empty term", "sex=Male,,age>3", /empty condition/],
  ])("%s: %s", (_label, where, message) => {
    let error: unknown;
    try {
      new CopulaSampler(adultModel, { where });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConditionError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.includes("\n")).toBe(false);
  });
});
