/**
 * One SDMetrics reference case (a folder of `benchmarks/fixtures/sdmetrics/`): its real,
 * synthetic and holdout tables read as SDMetrics read them, and the scores SDMetrics gave.
 * Used by the agreement test, which runs over every folder so that new cases drop in.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TableSchema } from "../tabular/index.js";
import type { Table } from "../tabular/index.js";
import { csvHeader, tableFromCsv } from "./csv-table.js";
import { schemaFromSdvMetadata } from "./sdv-metadata.js";

export const SDMETRICS_FIXTURES_DIR = new URL("./fixtures/sdmetrics/", import.meta.url).pathname;

export interface SdmetricsCase {
  name: string;
  dir: string;
  schema: TableSchema;
  real: Table;
  holdout?: Table;
  /** Synthetic tables by name (`gaussian_copula`, `shuffled_columns`, …). */
  synthetic: Record<string, Table>;
  /** scores.json as written by the reference run. */
  scores: { synthetic: Record<string, Record<string, unknown>> };
}

export function listSdmetricsCases(root = SDMETRICS_FIXTURES_DIR): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "scores.json")))
    .map((d) => d.name)
    .sort();
}

export function loadSdmetricsCase(name: string, root = SDMETRICS_FIXTURES_DIR): SdmetricsCase {
  const dir = join(root, name);
  const realText = readFileSync(join(dir, "real.csv"), "utf8");
  const schema = schemaFromSdvMetadata(JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8")), csvHeader(realText));
  const real = tableFromCsv(realText, schema);
  const scores = JSON.parse(readFileSync(join(dir, "scores.json"), "utf8")) as SdmetricsCase["scores"];
  const synthetic: Record<string, Table> = {};
  for (const key of Object.keys(scores.synthetic)) {
    synthetic[key] = tableFromCsv(readFileSync(join(dir, `synthetic_${key}.csv`), "utf8"), schema);
  }
  const holdoutPath = join(dir, "holdout.csv");
  const result: SdmetricsCase = { name, dir, schema, real, synthetic, scores };
  if (existsSync(holdoutPath)) result.holdout = tableFromCsv(readFileSync(holdoutPath, "utf8"), schema);
  return result;
}
