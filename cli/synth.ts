/**
 * `datalab synth <input> …` — fit a model (Gaussian copula, tree model, a differentially private
 * MST / DP copula / AIM, CTGAN or TVAE), sample, score, in one process (no server).
 * Only parses flags and prints: the work is `runSynthesisJob`, the same function worker nodes run.
 */
import { basename, extname } from "node:path";
import {
  checkDpRequest,
  DEFAULT_BATCH_SIZE,
  DEFAULT_EPOCHS,
  DpInputError,
  describeDp,
  type MarginalFamily,
  SYNTH_MODELS,
  type SynthModelName,
  TrainingInputError,
} from "../generators/index.js";
import { MIN_TRAINING_ROWS, runSynthesisJob, SCORE_MAX_ROWS, type SynthesisJobSpec, type SynthesisJobSummary } from "../trainer/index.js";
import { CliError } from "./cli-error.js";
import { scoreText } from "./number-text.js";
import { refuseOutputsOverInputs } from "./output-flags.js";
import { parseCount, parseFlags } from "./parse-flags.js";
import { whereCondition } from "./where-flag.js";

export const usage = [
  "usage: datalab synth <input> [--rows N] [--seed S] [--out file.csv|.parquet] [--schema s.json]",
  "                     [--model-out m.json] [--where COND] [--json] [--no-score] [--report r.html]",
  "                     [--model copula|mst|dp-copula|aim|ctgan|tvae] [--epsilon E [--delta D]]",
  "                     [--epochs N] [--batch-size B]",
  "",
  "Fits a synthesizer to a table (.csv, .tsv, .parquet, .json, .ndjson), samples synthetic rows",
  "to a file in chunks (any row count in bounded memory), and scores them against the real rows.",
  "",
  `  --epochs N             ctgan/tvae: passes over the data (default: ${DEFAULT_EPOCHS.ctgan} ctgan, ${DEFAULT_EPOCHS.tvae} tvae)`,
  `  --batch-size B         ctgan/tvae: rows per training step (default ${DEFAULT_BATCH_SIZE}, less for small tables; ctgan: a multiple of 10)`,
  "  --rows N               rows to sample (default: as many as the input has)",
  "  --seed S               random seed, a whole number 0 … 2^64−1 (default 0); the same seed, input",
  "                         and options give a byte-identical output file",
  "  --out PATH             output table; format by extension: .csv .tsv .parquet .json .ndjson",
  "                         (default: <input-name>.synthetic.csv in the current directory)",
  "  --schema PATH          use this schema (from `datalab schema`) instead of inferring one",
  "  --model NAME           copula (default, Gaussian copula), mst (a tree of 2-way marginals: Chow–Liu",
  "                         without --epsilon, MST with it), dp-copula (private copula, needs --epsilon),",
  "                         aim (AIM: adaptively chosen 2-way marginals on a junction tree, needs --epsilon),",
  "                         ctgan or tvae (Xu et al. 2019, trained on the native nn engine; --where takes",
  "                         column=value terms)",
  "  --epsilon E            differential privacy: fit mst, dp-copula or aim with (ε, δ)-DP, E > 0. Needs --schema",
  "                         with every column's domain (`datalab schema data.csv --categories --out s.json`)",
  "  --delta D              δ of the DP guarantee, 0 < D < 1/rows (default 1e-9)",
  "  --bounds-epsilon-share F  dp-copula: spend share F (0 < F < 1) of the zCDP budget on private bounds",
  "                         (DP 2% / 98% quantiles) of numerical columns the schema leaves without min/max",
  "  --model-out PATH       also save the fitted model; `datalab sample PATH` samples from it later",
  '  --where COND           conditional sampling, e.g. "sex=Female,age>40": comma-separated col=value,',
  '                         col!=value, col>x, col>=x, col<x, col<=x; quote names or values with "…"',
  "  --allow-out-of-range   let numerical values leave the range seen in the input",
  "  --marginal FAMILY      force one marginal for every numerical column: normal, truncnorm, beta,",
  "                         gamma, uniform, empirical (default: chosen per column by KS statistic)",
  "  --no-score             skip scoring (fidelity and privacy against the input)",
  "  --report PATH          write the HTML score report to PATH",
  "  --report-json PATH     write the full score report as JSON to PATH",
  "  --holdout PATH         real rows not used for fitting (DCR overfitting, ML efficacy)",
  "  --score-max-rows N     score on at most N rows of each table (default 100000): up to N every",
  "                         metric is exact on all rows; above, the summary says how rows were sampled",
  "  --target COLUMN        column to predict for the ML-efficacy score",
  "  --min-rows N           fewest input rows to fit on (default 10: below that the synthetic rows",
  "                         are near copies of the real ones); lower it only for tests",
  "  --json                 print a machine-readable JSON summary on stdout",
  "",
  "A progress bar is drawn on stderr when stderr is a terminal.",
].join("\n");

const MARGINALS = ["auto", "normal", "truncnorm", "beta", "gamma", "uniform", "empirical"] as const;

/** A whole number 0 … 2^64−1 for --seed, or a CliError. */
export function parseSeed(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  const cleaned = text.replaceAll("_", "");
  if (!/^\d+$/.test(cleaned) || BigInt(cleaned) >= 2n ** 64n) throw new CliError(`--seed must be a whole number from 0 to 2^64−1, got "${text}".`);
  return BigInt(cleaned);
}

const OUTPUT_EXTENSIONS = new Set([".csv", ".tsv", ".tab", ".parquet", ".pq", ".json", ".ndjson", ".jsonl"]);

/** Checks an output path's extension before any work, so a typo does not cost a whole fit. */
export function checkOutputPath(path: string): void {
  if (!OUTPUT_EXTENSIONS.has(extname(path).toLowerCase())) {
    throw new CliError(`--out "${path}" has no supported extension; use .csv, .tsv, .parquet, .json or .ndjson.`);
  }
}

/** A one-line progress bar on stderr, redrawn at most every 100 ms; a no-op when stderr is not a TTY. */
export function progressBar(): { update(fraction: number, stage: string): void; done(): void } {
  if (!process.stderr.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = 8;
  const width = 30;
  return {
    update(fraction, stage) {
      const now = performance.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
      // Long stages (CTGAN/TVAE: "epoch 3/30 G … D …") pad to the previous length so no old text stays.
      const line = `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${stage.padEnd(Math.max(8, drawn))}`;
      drawn = stage.length;
      process.stderr.write(line);
    },
    done() {
      process.stderr.write(`\r${" ".repeat(width + 16 + drawn)}\r`);
    },
  };
}

const s = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} s`;

/** Nothing when every metric used every row; otherwise how the rows were sampled (the report's settings.sampling). */
function privacySampleNote(q: NonNullable<SynthesisJobSummary["quality"]>): string {
  return q.exact ? "" : ` (sampled: ${q.sampling})`;
}

function humanSummary(summary: SynthesisJobSummary): string {
  const c = summary.columns;
  const types = Object.entries(c)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => `${count} ${type}`)
    .join(", ");
  const lines = [
    `${summary.rows.toLocaleString("en-US")} synthetic rows (from ${summary.inputRows.toLocaleString("en-US")}) → ${summary.outputs.table} in ${s(summary.seconds.total)}` +
      ` (load ${s(summary.seconds.load)}, fit ${s(summary.seconds.fit)}, sample ${s(summary.seconds.sample)}${summary.quality ? `, score ${s(summary.seconds.score)}` : ""})`,
    `columns: ${types}; seed ${summary.seed}`,
  ];
  const marginals = Object.entries(summary.marginals);
  if (marginals.length > 0) lines.push(`marginals: ${marginals.map(([name, family]) => `${name}=${family}`).join(", ")}`);
  const q = summary.quality;
  if (q !== undefined) {
    lines.push(
      `quality: ${scoreText(q.overall)} (column shapes ${scoreText(q.columnShapes)}, pair trends ${scoreText(q.columnPairTrends)}), ${q.grade}` +
        (q.dcrBaselineProtection === null ? "" : `; DCR baseline protection ${scoreText(q.dcrBaselineProtection)}`) +
        (q.newRowSynthesis === null ? "" : `, new rows ${scoreText(q.newRowSynthesis)}`) +
        (q.dcrOverfittingProtection === null ? "" : `, overfitting protection ${scoreText(q.dcrOverfittingProtection)}`) +
        privacySampleNote(q),
    );
    const pct = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 2)}%`;
    lines.push(
      `rule breaks: ${pct(q.ruleBreaks.synthetic)} of synthetic rows show a pair of categories the input (almost) never shows (input ${pct(q.ruleBreaks.real)})`,
    );
    if (q.usefulness !== null)
      lines.push(
        `usefulness: ${q.usefulness.metric} ratio ${scoreText(q.usefulness.ratio)} predicting "${q.usefulness.target}" (synthetic-trained ÷ real-trained)`,
      );
  }
  lines.push(
    summary.differentialPrivacy === null
      ? `model: ${summary.model}, not differentially private`
      : `model: ${summary.model}, differentially private: ${describeDp(summary.differentialPrivacy)}`,
  );
  if (summary.outputs.model) lines.push(`model file: ${summary.outputs.model}`);
  if (summary.outputs.reportHtml) lines.push(`report: ${summary.outputs.reportHtml}`);
  if (summary.outputs.reportJson) lines.push(`report (JSON): ${summary.outputs.reportJson}`);
  for (const warning of summary.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join("\n")}\n`;
}

/** A refused private fit (bad ε/δ, a non-DP model with ε, a domain the schema lacks) is a usage error: exit 2. */
function asUsageError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DpInputError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}

async function asUsageErrorAsync<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A bad ε/δ or domain, or a table or setting CTGAN/TVAE cannot train on: usage problems, exit 2.
    if (error instanceof DpInputError || error instanceof TrainingInputError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "synth",
    argv,
    {
      rows: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      schema: { type: "string" },
      "model-out": { type: "string" },
      where: { type: "string" },
      "allow-out-of-range": { type: "boolean" },
      marginal: { type: "string" },
      "no-score": { type: "boolean" },
      report: { type: "string" },
      "report-json": { type: "string" },
      holdout: { type: "string" },
      target: { type: "string" },
      "score-max-rows": { type: "string" },
      json: { type: "boolean" },
      model: { type: "string" },
      epsilon: { type: "string" },
      delta: { type: "string" },
      "bounds-epsilon-share": { type: "string" },
      "min-rows": { type: "string" },
      epochs: { type: "string" },
      "batch-size": { type: "string" },
    },
    { min: 1, max: 1, names: "one input table" },
  );
  const input = positionals[0]!;
  const out = values.out ?? `${basename(input, extname(input))}.synthetic.csv`;
  checkOutputPath(out);
  const marginal = values.marginal;
  if (marginal !== undefined && !(MARGINALS as readonly string[]).includes(marginal)) {
    throw new CliError(`--marginal must be one of ${MARGINALS.join(", ")}, got "${marginal}".`);
  }
  const model = values.model ?? "copula";
  const epsilon = values.epsilon === undefined ? undefined : Number(values.epsilon);
  const delta = values.delta === undefined ? undefined : Number(values.delta);
  asUsageError(() => checkDpRequest(model, epsilon, delta, undefined));
  const boundsShare = values["bounds-epsilon-share"] === undefined ? undefined : Number(values["bounds-epsilon-share"]);
  if (boundsShare !== undefined) {
    if (model !== "dp-copula" || epsilon === undefined)
      throw new CliError("--bounds-epsilon-share applies to --model dp-copula --epsilon E; other models take every bound from the schema file.");
    if (!(boundsShare > 0 && boundsShare < 1))
      throw new CliError(
        `--bounds-epsilon-share must be a number in (0, 1), got ${values["bounds-epsilon-share"]}; e.g. 0.1 spends a tenth of the budget on bounds.`,
      );
  }
  const score = values["no-score"] !== true;
  if (!score && (values.report !== undefined || values["report-json"] !== undefined)) {
    throw new CliError("--report and --report-json need scoring; drop --no-score or the report flags.");
  }
  if (!(SYNTH_MODELS as readonly string[]).includes(model)) throw new CliError(`--model must be one of ${SYNTH_MODELS.join(", ")}, got "${values.model}".`);
  if (model !== "ctgan" && model !== "tvae" && (values.epochs !== undefined || values["batch-size"] !== undefined)) {
    throw new CliError(`--epochs and --batch-size apply to --model ctgan or tvae; ${model} has no training epochs.`);
  }
  const spec: SynthesisJobSpec = {
    inputPath: input,
    outputPath: out,
    rows: values.rows === undefined ? undefined : parseCount("rows", values.rows, 0, { min: 0, max: 1e12 }),
    seed: parseSeed(values.seed),
    schema: values.schema,
    where: values.where === undefined ? undefined : whereCondition(values.where),
    modelOutPath: values["model-out"],
    reportHtmlPath: values.report,
    reportJsonPath: values["report-json"],
    holdoutPath: values.holdout,
    targetColumn: values.target,
    allowOutOfRange: values["allow-out-of-range"] === true,
    marginal: marginal as MarginalFamily | "auto" | undefined,
    score,
    model: model as SynthModelName,
    epsilon,
    delta,
    boundsEpsilonShare: boundsShare,
    minRows: parseCount("min-rows", values["min-rows"], MIN_TRAINING_ROWS, { min: 1, max: 1e9 }),
    scoreMaxRows: parseCount("score-max-rows", values["score-max-rows"], SCORE_MAX_ROWS, { min: 1, max: Number.MAX_SAFE_INTEGER }),
    epochs: values.epochs === undefined ? undefined : parseCount("epochs", values.epochs, 0, { min: 1, max: 100_000 }),
    batchSize: values["batch-size"] === undefined ? undefined : parseCount("batch-size", values["batch-size"], 0, { min: 1, max: 1e7 }),
  };
  await refuseOutputsOverInputs(
    [
      ["--out", out],
      ["--model-out", spec.modelOutPath],
      ["--report", spec.reportHtmlPath],
      ["--report-json", spec.reportJsonPath],
    ],
    [
      ["input", input],
      ["--schema", values.schema],
      ["--holdout", values.holdout],
    ],
  );
  const bar = progressBar();
  let summary: SynthesisJobSummary;
  try {
    summary = await asUsageErrorAsync(() => runSynthesisJob(spec, { onProgress: (fraction, stage) => bar.update(fraction, stage) }));
  } finally {
    bar.done();
  }
  process.stdout.write(values.json === true ? `${JSON.stringify(summary, null, 2)}\n` : humanSummary(summary));
  return 0;
}
