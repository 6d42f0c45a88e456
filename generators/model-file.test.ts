import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadTable } from "../tabular/index.js";
import type { CopulaModel } from "./copula-model.js";
import { sampleTable } from "./copula-sampler.js";
import { ModelFileError } from "./errors.js";
import { fitGaussianCopula } from "./fit-copula.js";
import { loadModel, parseModel, saveModel, serializeModel } from "./model-file.js";

const dir = await mkdtemp(join(tmpdir(), "datalab-model-"));
afterAll(() => rm(dir, { recursive: true, force: true }));
let model: CopulaModel;
let path: string;

beforeAll(async () => {
  model = fitGaussianCopula((await loadTable("node_modules/vega-datasets/data/seattle-weather.csv")).table);
  path = join(dir, "weather.model.json");
  await saveModel(path, model);
});

describe("model file", () => {
  test("round trip: the loaded model samples exactly what the fitted one does", async () => {
    const loaded = await loadModel(path);
    expect(loaded).toEqual(model);
    const a = await sampleTable(model, 2000, { seed: 3 });
    const b = await sampleTable(loaded, 2000, { seed: 3 });
    expect(b).toEqual(a);
    const text = await readFile(path, "utf8");
    expect(text).toBe(serializeModel(model)); // deterministic bytes: no timestamps
    expect(JSON.parse(text)).toMatchObject({ format: "datalab-model", version: 2, generator: "gaussian-copula" });
    expect(JSON.parse(text).checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  async function failure(text: string): Promise<ModelFileError> {
    const bad = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(bad, text);
    try {
      await loadModel(bad);
    } catch (error) {
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as Error).message.includes("\n")).toBe(false);
      return error as ModelFileError;
    }
    throw new Error("loadModel accepted a bad file");
  }

  test("a corrupted file (one digit changed) fails its checksum", async () => {
    const text = await readFile(path, "utf8");
    const at = text.indexOf('"correlation":[') + 20;
    const digit = text.slice(at).search(/[0-8]/) + at;
    const corrupted = text.slice(0, digit) + String(Number(text[digit]) + 1) + text.slice(digit + 1);
    expect((await failure(corrupted)).message).toMatch(/corrupted \(its checksum does not match/);
  });

  test("a truncated file is not valid JSON", async () => {
    const text = await readFile(path, "utf8");
    expect((await failure(text.slice(0, text.length / 2))).message).toMatch(/not valid JSON.*truncated/);
  });

  test("a model from another version says which versions apply", async () => {
    const other = JSON.parse(await readFile(path, "utf8"));
    other.version = 3;
    expect((await failure(JSON.stringify(other))).message).toMatch(/version 3 model file; this datalab reads versions 1 and 2 \(writes 2\)/);
  });

  test("a version-1 file (written before derived columns and joint dimensions) still loads and samples the same", async () => {
    const old = { ...(JSON.parse(await readFile(path, "utf8")) as CopulaModel & { checksum?: string }), version: 1 };
    delete old.checksum;
    const oldPath = join(dir, "weather.v1.model.json");
    await writeFile(oldPath, serializeModel(old));
    const loaded = await loadModel(oldPath);
    expect(loaded.version).toBe(1);
    expect(await sampleTable(loaded, 500, { seed: 8 })).toEqual(await sampleTable(model, 500, { seed: 8 }));
  });

  test("derived columns and joint dimensions survive the file; a broken rule is refused", async () => {
    const penguins = fitGaussianCopula((await loadTable("node_modules/vega-datasets/data/penguins.json")).table);
    expect(penguins.dimensions.some((d) => d.role === "joint")).toBe(true);
    const jointPath = join(dir, "penguins.model.json");
    await saveModel(jointPath, penguins);
    expect(await sampleTable(await loadModel(jointPath), 300, { seed: 2 })).toEqual(await sampleTable(penguins, 300, { seed: 2 }));
    const joint = penguins.dimensions.findIndex((d) => d.role === "joint");
    const edited = structuredClone(penguins);
    edited.dimensions[joint]!.cells = edited.dimensions[joint]!.cells!.slice(1);
    expect((await failure(serializeModel(edited))).message).toMatch(/inconsistent \(\$\.dimensions\[\d+\]\.cumulative must hold \d+ cell bounds/);
    // A derived column whose source is gone, and a joint cell with an unknown category code.
    const derivedAt = penguins.columns.findIndex((column) => column.kind !== "text" && column.derived !== undefined);
    if (derivedAt >= 0) {
      const orphan = structuredClone(penguins);
      const column = orphan.columns[derivedAt]!;
      if (column.kind !== "text" && column.derived !== undefined) column.derived.source = orphan.columns.length + 3;
      expect((await failure(serializeModel(orphan))).message).toMatch(new RegExp(`\\$\\.columns\\[${derivedAt}\\]\\.derived\\.source must be a whole number`));
    }
    const badCell = structuredClone(penguins);
    badCell.dimensions[joint]!.cells![0]![0] = 999;
    expect((await failure(serializeModel(badCell))).message).toMatch(/\$\.dimensions\[\d+\]\.cells\[0\]\[0\] must be a whole number from -1 to/);
  });

  test("a JSON file that is not a model, and a missing file", async () => {
    expect((await failure('{"version":1,"columns":[]}')).message).toMatch(/not a datalab model file/);
    expect((await failure("[1,2,3]")).message).toMatch(/not a datalab model file/);
    await expect(loadModel(join(dir, "missing.json"))).rejects.toThrow(/cannot read model file .* \(no such file\)/);
  });

  /** The saved model, edited by `edit`, re-serialized with a recomputed (valid) checksum. */
  async function edited(edit: (model: Json) => void): Promise<string> {
    const model = JSON.parse(await readFile(path, "utf8")) as Json;
    delete model["checksum"];
    edit(model);
    return serializeModel(model as unknown as CopulaModel);
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests edit the parsed JSON freely, as a hostile user would
  type Json = Record<string, any>;
  const columnIndex = (model: Json, name: string) => (model["columns"] as { name: string }[]).findIndex((c) => c.name === name);

  test("a hand-edited file with a recomputed checksum is still checked for consistency", async () => {
    const text = await edited((m) => {
      m["correlation"] = m["correlation"].slice(1);
    });
    expect((await failure(text)).message).toMatch(/inconsistent \(\$\.correlation must hold \d+×\d+ = \d+ entries/);
  });

  test("impossible contents behind a valid checksum are refused with the JSON path and the rule", async () => {
    const weather = await edited((m) => {
      const i = columnIndex(m, "weather");
      m["columns"][i].frequencies[0] = -0.25;
    });
    expect((await failure(weather)).message).toMatch(/\$\.columns\[\d\]\.frequencies\[0\] must be a finite number ≥ 0, got -0\.25/);

    const quantiles = await edited((m) => {
      const dimension = m["columns"][columnIndex(m, "temp_max")].valueDimension;
      m["dimensions"][dimension].table[10] = "12.5";
    });
    expect((await failure(quantiles)).message).toMatch(/\$\.dimensions\[\d+\]\.table\[10\] must be a finite number, got "12\.5"/);

    const decimals = await edited((m) => {
      m["columns"][columnIndex(m, "precipitation")].rounding.decimals = 400;
    });
    expect((await failure(decimals)).message).toMatch(/\$\.columns\[\d\]\.rounding\.decimals must be a whole number from 0 to 20, got 400/);

    const schemaDecimals = await edited((m) => {
      m["schema"].columns[columnIndex(m, "precipitation")].decimals = 400;
    });
    expect((await failure(schemaDecimals)).message).toMatch(
      /\$\.schema is not a valid schema: column \d \("precipitation"\): "decimals" must be a whole number from 0 to 20\)/,
    );

    const contradiction = await edited((m) => {
      m["schema"].columns[columnIndex(m, "temp_max")] = { name: "temp_max", type: "categorical" };
    });
    expect((await failure(contradiction)).message).toMatch(
      /\$\.columns\[\d\]\.kind must be "categorical" for a categorical column in \$\.schema, got "numeric"/,
    );

    const decreasing = await edited((m) => {
      const table = m["dimensions"][m["columns"][columnIndex(m, "wind")].valueDimension].table;
      table[100] = table[99] - 1;
    });
    expect((await failure(decreasing)).message).toMatch(/table\[100\] must not be below the value before it .* a quantile table never decreases/);

    const correlation = await edited((m) => {
      m["correlation"][1] = 1.5;
    });
    expect((await failure(correlation)).message).toMatch(/\$\.correlation\[1\] must be a number from -1 to 1, got 1\.5/);

    const sums = await edited((m) => {
      const c = m["columns"][columnIndex(m, "weather")];
      c.frequencies[0] += 0.5;
    });
    expect((await failure(sums)).message).toMatch(/\$\.columns\[\d\]\.frequencies must add up to 1/);

    const dangling = await edited((m) => {
      m["columns"][columnIndex(m, "weather")].dimension = 999;
    });
    expect((await failure(dangling)).message).toMatch(/\$\.columns\[\d\]\.dimension must be a whole number from 0 to \d+, got 999/);
  });

  test("models fitted on real tables pass the structural checks", async () => {
    const vega = (name: string) => `node_modules/vega-datasets/data/${name}`;
    for (const input of [vega("penguins.json"), vega("cars.json"), vega("movies.json"), "fixtures/adult/adult_test.csv"]) {
      const fitted = fitGaussianCopula((await loadTable(input)).table);
      expect(parseModel(serializeModel(fitted), input)).toEqual(fitted);
    }
  });
});
