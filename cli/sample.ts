/**
 * `datalab sample <model.json> --rows N …` — sample rows from a saved model file (written by
 * `datalab synth --model-out`), streamed to disk in chunks. The work is `runSampleJob`.
 */
import { basename, extname } from "node:path";
import { ModelFileError } from "../generators/index.js";
import { runSampleJob } from "../trainer/index.js";
import { refuseOutputsOverInputs } from "./output-flags.js";
import { CliError } from "./cli-error.js";
import { parseCount, parseFlags } from "./parse-flags.js";
import { whereCondition } from "./where-flag.js";
import { checkOutputPath, parseSeed, progressBar } from "./synth.js";

export const usage = [
  "usage: datalab sample <model.json> [--rows N] [--seed S] [--out file.csv|.parquet] [--where COND] [--json]",
  "",
  "Samples synthetic rows from a model file (copula, CTGAN or TVAE) saved by `datalab synth --model-out`, in chunks, so any",
  "row count runs in bounded memory. The file appears only when complete.",
  "",
  "  --rows N      rows to sample (default: as many as the model was fitted on)",
  "  --seed S      random seed, a whole number 0 … 2^64−1 (default 0); the same model, seed and",
  "                options give a byte-identical output file",
  "  --out PATH    output table; format by extension: .csv .tsv .parquet .json .ndjson",
  "                (default: <model-name>.synthetic.csv in the current directory)",
  '  --where COND  conditional sampling, e.g. "sex=Female,age>40" (see `datalab synth --help`)',
  "  --json        print a machine-readable JSON summary on stdout",
  "",
  "A progress bar is drawn on stderr when stderr is a terminal.",
].join("\n");

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "sample",
    argv,
    { rows: { type: "string" }, seed: { type: "string" }, out: { type: "string" }, where: { type: "string" }, json: { type: "boolean" } },
    { min: 1, max: 1, names: "one model file" },
  );
  const modelPath = positionals[0]!;
  const out = values.out ?? `${basename(modelPath, extname(modelPath))}.synthetic.csv`;
  checkOutputPath(out);
  const rows = values.rows === undefined ? undefined : parseCount("rows", values.rows, 0, { min: 0, max: 1e12 });
  const seed = parseSeed(values.seed);
  const where = values.where === undefined ? undefined : whereCondition(values.where);
  await refuseOutputsOverInputs([["--out", out]], [["model file", modelPath]]);
  const bar = progressBar();
  let summary: Awaited<ReturnType<typeof runSampleJob>>;
  try {
    summary = await runSampleJob(modelPath, out, rows, seed, where, { onProgress: (fraction, stage) => bar.update(fraction, stage) });
  } catch (error) {
    // A missing, foreign, damaged or other-version model file is a usage problem: exit 2.
    if (error instanceof ModelFileError) throw new CliError(error.message, { cause: error });
    throw error;
  } finally {
    bar.done();
  }
  if (values.json === true) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const lines = [
      `${summary.rows.toLocaleString("en-US")} synthetic rows → ${summary.outputs.table} in ${summary.seconds.total.toFixed(2)} s; seed ${summary.seed}`,
    ];
    for (const warning of summary.warnings) lines.push(`warning: ${warning}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  return 0;
}
