/**
 * `datalab score <real> <synthetic>`: the benchmark suite on two table files. Loads both (and the
 * holdout) with ONE schema — `--schema`, an SDV metadata file, or the one inferred from the real
 * table — scores them, prints a short summary, and writes the JSON / HTML reports when asked.
 * Low scores are a result, not an error: exit 0.
 */
import { open } from "node:fs/promises";
import { renderHtmlReport, type ScoreReport, schemaFromSdvMetadata, scoreTables } from "../benchmarks/index.js";
import { csvHeader } from "../benchmarks/index.js";
import { loadTable, readSchemaFile, type TableSchema, writeFileAtomic } from "../tabular/index.js";
import { CliError } from "./cli-error.js";
import { scoreText } from "./number-text.js";
import { refuseOutputsOverInputs } from "./output-flags.js";
import { parseCount, parseFlags } from "./parse-flags.js";

export const usage = `usage: datalab score <real> <synthetic> [options]

Scores a synthetic table against the real one: SDMetrics-identical Quality and Diagnostic
reports, all-pairs trends, privacy (DCR, NewRowSynthesis, NNDR, membership inference, CAP) and
usefulness (train on synthetic, test on real). Tables: CSV, Parquet or JSON.

options:
  --holdout <file>       real rows the synthesizer never saw (overfitting and membership checks)
  --schema <file>        datalab schema JSON for all tables (default: inferred from <real>)
  --sdv-metadata <file>  an SDV metadata.json to type the columns instead of --schema
  --json <file>          write every number and the settings to this JSON file
  --html <file>          write a self-contained HTML report
  --target <column>      target column for the usefulness models
  --known <a,b>          columns an attacker knows (CAP / disclosure protection)
  --sensitive <c>        columns the attacker wants to learn
  --seed <n>             seed of the random baseline and splits (default 0)
  --no-privacy           skip the privacy metrics
  --min-rows <n>         fewest real rows to score against (default 10: fewer rows make every
                         score compare a table with itself, e.g. quality 1.000 for one row)`;

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new CliError(`expected a comma-separated list of column names, got "${text}".`);
  return names;
}

async function readHeader(path: string): Promise<string[]> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return csvHeader(buffer.subarray(0, bytesRead).toString("utf8"));
  } finally {
    await handle.close();
  }
}

async function resolveSchema(realPath: string, schemaPath: string | undefined, sdvPath: string | undefined): Promise<TableSchema | undefined> {
  if (schemaPath !== undefined && sdvPath !== undefined) throw new CliError("give either --schema or --sdv-metadata, not both.");
  if (schemaPath !== undefined) return readSchemaFile(schemaPath);
  if (sdvPath === undefined) return undefined;
  let metadata: unknown;
  try {
    metadata = JSON.parse(await (await import("node:fs/promises")).readFile(sdvPath, "utf8"));
  } catch (error) {
    throw new CliError(`cannot read the SDV metadata ${sdvPath} as JSON: check the path and its contents.`, { cause: error, exitCode: 1 });
  }
  if (!/\.csv$/i.test(realPath))
    throw new CliError("--sdv-metadata needs a CSV real table (its header gives the column order); use --schema for other formats.");
  return schemaFromSdvMetadata(metadata, await readHeader(realPath));
}

/** The same minimum as `datalab synth` (MIN_TRAINING_ROWS, trainer/synthesis-job.ts), for the same reason. */
const MIN_SCORED_ROWS = 10;

const fmt = (x: number | null | undefined) => scoreText(x);

const pct = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 2)}%`;

export function summarize(report: ScoreReport): string {
  const q = report.quality;
  const lines = [
    `quality ${fmt(q.score)} (shapes ${fmt(q.columnShapes)}, pair trends ${fmt(q.columnPairTrends)} on ${q.pairsMeetingThreshold}/${q.pairs.length} pairs; all pairs ${fmt(q.allPairsTrends)}, association retained ${fmt(q.associationRetained)})`,
    `diagnostic ${fmt(report.diagnostic.score)}`,
    `rule breaks: ${pct(report.rareCombinations.syntheticShare)} of synthetic rows show a combination of two categories the real table (almost) never shows (real ${pct(report.rareCombinations.realShare)})`,
  ];
  const p = report.privacy;
  if (p !== null) {
    const extra = [
      p.dcrOverfittingProtection !== null ? `overfitting protection ${fmt(p.dcrOverfittingProtection.score)}` : null,
      p.membershipInference !== null ? `membership AUC ${fmt(p.membershipInference.auc)}` : null,
      p.disclosureProtection !== null ? `disclosure protection ${fmt(p.disclosureProtection.score)}` : null,
    ].filter((x) => x !== null);
    lines.push(
      `privacy: DCR baseline protection ${fmt(p.dcrBaselineProtection.score)}, new rows ${fmt(p.newRowSynthesis.score)}, NNDR median ${fmt(p.nndr.median)}${extra.length > 0 ? `, ${extra.join(", ")}` : ""}`,
    );
  }
  if (report.usefulness !== null) {
    const u = report.usefulness;
    lines.push(`usefulness (${u.target}, ${u.primaryMetric}): ratio ${fmt(u.ratio)} — ${u.models.map((m) => `${m.model} ${fmt(m.ratio)}`).join(", ")}`);
  }
  if (report.usefulnessSkipped !== null) lines.push(`usefulness not computed: ${report.usefulnessSkipped}`);
  if (!report.settings.allRows) lines.push(`rows scored: ${report.settings.sampling}`);
  lines.push(`verdict: ${report.verdict.text}`);
  return lines.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "score",
    argv,
    {
      holdout: { type: "string" },
      schema: { type: "string" },
      "sdv-metadata": { type: "string" },
      json: { type: "string" },
      html: { type: "string" },
      target: { type: "string" },
      known: { type: "string" },
      sensitive: { type: "string" },
      seed: { type: "string" },
      "no-privacy": { type: "boolean" },
      "min-rows": { type: "string" },
    },
    { min: 2, max: 2, names: "<real> <synthetic>" },
  );
  const [realPath, syntheticPath] = positionals as [string, string];
  const seed = parseCount("seed", values.seed, 0, { min: 0, max: 2 ** 32 - 1 });
  const minRows = parseCount("min-rows", values["min-rows"], MIN_SCORED_ROWS, { min: 1, max: 1e9 });
  const known = list(values.known);
  const sensitive = list(values.sensitive);
  await refuseOutputsOverInputs(
    [
      ["--json", values.json],
      ["--html", values.html],
    ],
    [
      ["real table", realPath],
      ["synthetic table", syntheticPath],
      ["--holdout", values.holdout],
      ["--schema", values.schema],
      ["--sdv-metadata", values["sdv-metadata"]],
    ],
  );
  const given = await resolveSchema(realPath, values.schema, values["sdv-metadata"]);
  const real = await loadTable(realPath, given === undefined ? {} : { schema: given });
  const schema = real.schema;
  if (real.table.rowCount < minRows) {
    throw new CliError(
      `${realPath} has ${real.table.rowCount} row${real.table.rowCount === 1 ? "" : "s"}, fewer than the ${minRows} the scores need to mean anything; ` +
        `give a larger real table, or lower the minimum with --min-rows ${real.table.rowCount}.`,
      { exitCode: 1 },
    );
  }
  const synthetic = await loadTable(syntheticPath, { schema });
  const holdout = values.holdout === undefined ? undefined : await loadTable(values.holdout, { schema });
  const report = await scoreTables(real.table, synthetic.table, {
    ...(holdout !== undefined ? { holdout: holdout.table } : {}),
    ...(values.target !== undefined ? { targetColumn: values.target } : {}),
    ...(known !== undefined ? { knownColumns: known } : {}),
    ...(sensitive !== undefined ? { sensitiveColumns: sensitive } : {}),
    seed,
    privacy: values["no-privacy"] !== true,
    onProgress: (fraction, stage) => {
      if (process.stderr.isTTY) process.stderr.write(`\rscoring: ${stage} ${Math.round(fraction * 100)}%   `);
    },
  });
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  if (values.json !== undefined) await writeFileAtomic(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.html !== undefined) await writeFileAtomic(values.html, renderHtmlReport(report));
  process.stdout.write(`${summarize(report)}\n`);
  return 0;
}
