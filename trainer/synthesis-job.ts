/**
 * The ONE synthesis job: `datalab synth` runs it in-process, worker nodes run it for SYNTHESIS
 * tasks (trainer/datalab-task.ts). Load the table, fit the model (Gaussian copula, CTGAN or TVAE), check the `--where`
 * conditions against the model, stream the sample to the output file, save the model, and score
 * the synthetic rows against the real ones with the benchmark suite.
 *
 * Nothing half-written: the table and model files appear only complete (temp + rename), bad
 * conditions fail before any file is created, and an abort (signal) removes the partial output.
 */
import {
  checkDpRequest,
  type DpRecord,
  describeDp,
  fitSynthModel,
  isNeuralModel,
  loadSynthModel,
  type MarginalFamily,
  openSampler,
  parseWhere,
  saveModel,
  sampleSynthTable,
  sampleToFile,
  type SynthModel,
  type SynthModelName,
} from "../generators/index.js";
import type { PrivacySource } from "../privacy/index.js";
import {
  checkOutputPaths,
  idCapacityWarnings,
  loadTable,
  type NamedPath,
  readSchemaFile,
  type Table,
  TableReadError,
  type TableSchema,
  writeFileAtomic,
} from "../tabular/index.js";
import { renderHtmlReport, ScoreInputError, scoreTables } from "../benchmarks/index.js";

export interface SynthesisJobSpec {
  inputPath: string;
  outputPath: string;
  /** Rows to sample; default: the input's row count. */
  rows?: number | undefined;
  /** Default 0. The same seed, input, options and rows give a byte-identical output file. */
  seed?: bigint | number | undefined;
  /** A schema object, or the path of a schema JSON file (`datalab schema` writes one). */
  schema?: TableSchema | string | undefined;
  where?: string | undefined;
  modelOutPath?: string | undefined;
  reportJsonPath?: string | undefined;
  reportHtmlPath?: string | undefined;
  holdoutPath?: string | undefined;
  targetColumn?: string | undefined;
  /** Let values leave each column's observed range (default false). */
  allowOutOfRange?: boolean | undefined;
  /** Force one marginal family (default: chosen per column by KS). */
  marginal?: MarginalFamily | "auto" | undefined;
  /** Default "copula". "mst" without ε is the Chow–Liu tree; "mst" / "dp-copula" / "aim" with ε are differentially private; "ctgan" / "tvae" neural. */
  model?: SynthModelName | undefined;
  /** Differential privacy: ε (> 0) and δ (default 1e-9) of the whole fit. Needs a DP model and a schema file with the domain. */
  epsilon?: number | undefined;
  delta?: number | undefined;
  /** DP copula: share of ρ spent on private bounds of numerical columns the schema leaves open (`--bounds-epsilon-share`). */
  boundsEpsilonShare?: number | undefined;
  /** Noise source of a private fit (default node:crypto); a seeded source is for tests and marks the output NOT private. */
  privacySource?: PrivacySource | undefined;
  /** Fewest input rows a model is fitted on (default MIN_TRAINING_ROWS); `datalab synth --min-rows`. */
  minRows?: number | undefined;
  /** CTGAN / TVAE: passes over the data and rows per step (defaults in generators/). */
  epochs?: number | undefined;
  batchSize?: number | undefined;
  /** Score the output with the benchmark suite (default true). */
  score?: boolean | undefined;
  /** With scoring, also the privacy metrics (default true; a service job's ScoringOptions.privacy). */
  privacy?: boolean | undefined;
  chunkRows?: number | undefined;
  /**
   * Most rows of each table scoring uses (default SCORE_MAX_ROWS). Up to it every metric is exact
   * on all rows. Above it, the synthetic side is the first this-many rows of the output (rows are
   * independent draws, so these are a uniform sample, and memory stays bounded) and the privacy
   * metrics use a seeded uniform sample of this many real rows; the report and summary say so.
   */
  scoreMaxRows?: number | undefined;
}

export interface JobHooks {
  /** fraction in [0, 1] of the whole job; stage: load, fit (CTGAN/TVAE: "epoch i/n" and the losses), sample, score. */
  onProgress?: ((fraction: number, stage: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface ColumnTypeCounts {
  numerical: number;
  datetime: number;
  categorical: number;
  boolean: number;
  id: number;
  pii: number;
}

export interface SynthesisJobSummary {
  /** The --model that ran: copula, mst (Chow–Liu without ε), dp-copula, aim, ctgan or tvae. */
  model: string;
  /** ε, δ, ρ, mechanisms and budget split of a private fit; null when the fit is not private. */
  differentialPrivacy: DpRecord | null;
  rows: number;
  seed: string;
  inputRows: number;
  columns: ColumnTypeCounts;
  /** Chosen marginal family per numerical/datetime column that is modelled. */
  marginals: Record<string, string>;
  seconds: { load: number; fit: number; sample: number; score: number; total: number };
  quality?: SynthesisQuality;
  warnings: string[];
  outputs: { table: string; model?: string; reportJson?: string; reportHtml?: string };
}

/** The headline numbers of the benchmark report (the full report goes to reportJsonPath). */
export interface SynthesisQuality {
  /** SDMetrics Quality score: mean of column shapes and column pair trends, in [0, 1]. */
  overall: number;
  columnShapes: number;
  columnPairTrends: number;
  diagnostic: number;
  grade: string;
  verdict: string;
  dcrBaselineProtection: number | null;
  newRowSynthesis: number | null;
  /** ML efficacy (train on synthetic, test on real ÷ train on real), when a target column is given. */
  usefulness: { target: string; metric: string; ratio: number } | null;
  /** Rows of each table that fidelity (Quality, Diagnostic) was computed on: all of them. */
  scoredRealRows: number;
  scoredSyntheticRows: number;
  /**
   * Rows of each table the all-pairs privacy metrics compared: all scored rows, or a seeded sample
   * of scoreMaxRows rows of a larger table (the report's settings.privacySampleRows says the same).
   */
  privacyRealRows: number | null;
  privacySyntheticRows: number | null;
  /** Rows of the output the scored synthetic rows stand for (= scoredSyntheticRows when all were scored). */
  syntheticRowsWritten: number;
  /** Whether every metric used every row (false: `sampling` says how they were sampled). */
  exact: boolean;
  /** One sentence on which rows were scored (the report's settings.sampling). */
  sampling: string;
  /** Share of scored synthetic rows that show a pair of categories the real table (almost) never shows, and the same share in the real table. */
  ruleBreaks: { synthetic: number; real: number };
  /** DCR overfitting protection (training side sampled to the holdout's size), when a holdout is given. */
  dcrOverfittingProtection: number | null;
}

/**
 * Most rows of each table scoring uses by default. Up to it scoring is exact on all rows: the
 * all-pairs privacy metrics (DCR, NewRowSynthesis, NNDR, membership inference; O(real ×
 * synthetic)) run 100k × 100k in 6–22 s on the kernels (kernels/README.md), and the scored
 * synthetic rows are held in memory. Above it, see `scoreMaxRows`.
 */
export const SCORE_MAX_ROWS = 100_000;

/**
 * Fewest real rows `synth` fits a model on unless told otherwise. Below about ten rows a fitted
 * copula holds the table itself: every value is a knot of its empirical quantiles, every label a
 * frequency of 1/n, so sampled rows are near copies (a one-row input came back verbatim) and the
 * scores compare a table with itself (quality 1.000). Ten also matches the smallest group sizes
 * common in k-anonymity practice (k = 5 … 10) and leaves the holdout and DCR metrics a few rows.
 */
export const MIN_TRAINING_ROWS = 10;

export interface SampleJobSummary {
  rows: number;
  seed: string;
  seconds: { sample: number; total: number };
  warnings: string[];
  outputs: { table: string };
}

function countColumnTypes(schema: TableSchema): ColumnTypeCounts {
  const counts: ColumnTypeCounts = { numerical: 0, datetime: 0, categorical: 0, boolean: 0, id: 0, pii: 0 };
  for (const column of schema.columns) counts[column.type]++;
  return counts;
}

function marginalsOf(model: SynthModel): Record<string, string> {
  const out: Record<string, string> = {};
  if (model.generator === "mst" || model.generator === "aim") return out;
  if (isNeuralModel(model)) {
    // Mode-specific normalisation: the number of Gaussian mixture modes kept per column.
    for (const column of model.transform.columns) if (column.kind === "continuous") out[column.name] = `${column.means.length}-mode mixture`;
    return out;
  }
  for (const column of model.columns) {
    if (column.kind !== "numeric") continue;
    out[column.name] = column.marginal?.family ?? (model.privacy !== undefined ? "noisy histogram" : column.constant !== null ? "constant" : "all-null");
  }
  return out;
}

function privacyOf(model: SynthModel): DpRecord | null {
  if (isNeuralModel(model)) return null;
  return model.generator === "mst" || model.generator === "aim" ? model.privacy : (model.privacy ?? null);
}

/** TableReadError (an input problem: not retried on nodes) when a table has fewer than `minRows` rows. */
export function checkEnoughRows(path: string, rows: number, minRows: number): void {
  if (rows >= minRows) return;
  throw new TableReadError(
    path,
    `${path} has ${rows} row${rows === 1 ? "" : "s"}, fewer than the ${minRows} needed for synthetic rows that are not near copies of real ones; ` +
      `give a larger table, or lower the minimum with --min-rows ${rows} if you accept that.`,
  );
}

function namedPaths(pairs: [string, string | undefined][]): NamedPath[] {
  return pairs.flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path }]));
}

const seconds = (from: number) => (performance.now() - from) / 1000;

export async function runSynthesisJob(spec: SynthesisJobSpec, hooks: JobHooks = {}): Promise<SynthesisJobSummary> {
  const started = performance.now();
  const progress = (fraction: number, stage: string) => hooks.onProgress?.(fraction, stage);
  const scoring = spec.score ?? true;
  // Shares of what follows the fit: sampling, then scoring.
  const sampleShare = scoring ? 0.8 : 1;

  // Malformed --where syntax and a bad model/ε/δ fail before any work; the rest once the model exists.
  if (spec.where !== undefined) parseWhere(spec.where);
  const modelName = spec.model ?? "copula";
  checkDpRequest(modelName, spec.epsilon, spec.delta, undefined);
  // No output may replace an input (or another output): checked before anything is written.
  await checkOutputPaths(
    namedPaths([
      ["--out", spec.outputPath],
      ["--model-out", spec.modelOutPath],
      ["--report", spec.reportHtmlPath],
      ["--report-json", spec.reportJsonPath],
    ]),
    namedPaths([
      ["input", spec.inputPath],
      ["--schema", typeof spec.schema === "string" ? spec.schema : undefined],
      ["--holdout", spec.holdoutPath],
    ]),
  );
  if (spec.scoreMaxRows !== undefined && !(Number.isSafeInteger(spec.scoreMaxRows) && spec.scoreMaxRows >= 1)) {
    throw new ScoreInputError(`the scoring bound must be a whole number of rows ≥ 1 (--score-max-rows), got ${spec.scoreMaxRows}.`);
  }
  progress(0, "load");
  let t = performance.now();
  const schema = typeof spec.schema === "string" ? await readSchemaFile(spec.schema) : spec.schema;
  const loaded = await loadTable(spec.inputPath, schema === undefined ? {} : { schema });
  const loadSeconds = seconds(t);
  checkEnoughRows(spec.inputPath, loaded.table.rowCount, spec.minRows ?? MIN_TRAINING_ROWS);
  hooks.signal?.throwIfAborted();

  progress(0.1, "fit");
  t = performance.now();
  const seed = BigInt.asUintN(64, BigInt(spec.seed ?? 0));
  // A neural fit is most of the job: the sample and score stages keep their shares after it.
  const fitEnd = modelName === "ctgan" || modelName === "tvae" ? 0.8 : 0.15;
  const model = fitSynthModel(loaded.table, loaded.schema, {
    model: modelName,
    epsilon: spec.epsilon,
    delta: spec.delta,
    boundsEpsilonShare: spec.boundsEpsilonShare,
    userSchema: schema,
    privacySource: spec.privacySource,
    copula: {
      allowOutOfRange: spec.allowOutOfRange ?? false,
      ...(spec.marginal === undefined ? {} : { marginal: spec.marginal }),
      onProgress: (fraction) => progress(0.1 + (fitEnd - 0.1) * 0.3 * fraction, "fit"),
    },
    neural: {
      ...(spec.epochs === undefined ? {} : { epochs: spec.epochs }),
      ...(spec.batchSize === undefined ? {} : { batchSize: spec.batchSize }),
      seed,
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
      onEpoch: (epoch, epochs, losses) =>
        progress(
          0.1 + ((fitEnd - 0.1) * epoch) / epochs,
          `epoch ${epoch}/${epochs} G ${losses.generator.toFixed(3)}${losses.discriminator === undefined ? "" : ` D ${losses.discriminator.toFixed(3)}`}`,
        ),
    },
  });
  const fitSeconds = seconds(t);
  // Check the conditions now, so a bad --where leaves no file behind.
  const rows = spec.rows ?? loaded.table.rowCount;
  openSampler(model, rows, { seed, ...(spec.where === undefined ? {} : { where: spec.where }) });
  hooks.signal?.throwIfAborted();

  const afterFit = (share: number) => fitEnd + (1 - fitEnd) * share;
  progress(fitEnd, "sample");
  t = performance.now();
  await sampleToFile(model, spec.outputPath, rows, {
    seed,
    ...(spec.where === undefined ? {} : { where: spec.where }),
    ...(spec.chunkRows === undefined ? {} : { chunkRows: spec.chunkRows }),
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onProgress: (fraction) => progress(afterFit(sampleShare * fraction), "sample"),
  });
  const sampleSeconds = seconds(t);
  if (spec.modelOutPath !== undefined) await saveModel(spec.modelOutPath, model);

  const differentialPrivacy = privacyOf(model);
  const warnings = [...loaded.warnings, ...model.warnings, ...idCapacityWarnings(model.schema, rows)];
  let quality: SynthesisQuality | undefined;
  t = performance.now();
  if (scoring && spec.where !== undefined) {
    warnings.push(
      "scoring skipped: with --where the synthetic rows follow the condition, so comparing them with the whole real table would not measure fidelity",
    );
  } else if (scoring && rows > 0) {
    progress(afterFit(sampleShare), "score");
    quality = await scoreSynthesis(loaded.table, loaded.schema, model, seed, rows, spec, differentialPrivacy, (f) =>
      progress(afterFit(sampleShare + (1 - sampleShare) * f), "score"),
    );
  }
  const scoreSeconds = seconds(t);
  progress(1, "done");

  const outputs: SynthesisJobSummary["outputs"] = { table: spec.outputPath };
  if (spec.modelOutPath !== undefined) outputs.model = spec.modelOutPath;
  if (quality !== undefined && spec.reportJsonPath !== undefined) outputs.reportJson = spec.reportJsonPath;
  if (quality !== undefined && spec.reportHtmlPath !== undefined) outputs.reportHtml = spec.reportHtmlPath;
  return {
    model: modelName,
    differentialPrivacy,
    rows,
    seed: seed.toString(),
    inputRows: loaded.table.rowCount,
    columns: countColumnTypes(loaded.schema),
    marginals: marginalsOf(model),
    seconds: { load: loadSeconds, fit: fitSeconds, sample: sampleSeconds, score: scoreSeconds, total: seconds(started) },
    ...(quality === undefined ? {} : { quality }),
    warnings,
    outputs,
  };
}

/** `datalab sample`: rows from a saved model file (default: as many as it was fitted on), streamed to `outputPath`. */
export async function runSampleJob(
  modelPath: string,
  outputPath: string,
  rows: number | undefined,
  seed: bigint | number = 0,
  where?: string,
  hooks: JobHooks = {},
): Promise<SampleJobSummary> {
  const started = performance.now();
  hooks.onProgress?.(0, "load");
  await checkOutputPaths([{ flag: "--out", path: outputPath }], [{ flag: "model file", path: modelPath }]);
  const model = await loadSynthModel(modelPath);
  const seedValue = BigInt.asUintN(64, BigInt(seed));
  hooks.onProgress?.(0.02, "sample");
  const rowCount = rows ?? model.training.rows;
  const result = await sampleToFile(model, outputPath, rowCount, {
    seed: seedValue,
    ...(where === undefined ? {} : { where }),
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onProgress: (fraction) => hooks.onProgress?.(0.02 + 0.98 * fraction, "sample"),
  });
  hooks.onProgress?.(1, "done");
  return {
    rows: rowCount,
    seed: seedValue.toString(),
    seconds: { sample: result.seconds, total: seconds(started) },
    warnings: [...model.warnings, ...idCapacityWarnings(model.schema, rowCount)],
    outputs: { table: outputPath },
  };
}

async function scoreSynthesis(
  real: Table,
  schema: TableSchema,
  model: SynthModel,
  seed: bigint,
  rows: number,
  spec: SynthesisJobSpec,
  differentialPrivacy: DpRecord | null,
  onProgress: (fraction: number) => void,
): Promise<SynthesisQuality> {
  // The rows of the output file, regenerated in memory: sampling is keyed by global row index,
  // so these are exactly the first rows written (no need to parse the file back). At most
  // scoreMaxRows of them: the rows are independent draws, so the first k are a uniform sample of
  // the output, and memory stays bounded however many rows were written.
  const maxRows = spec.scoreMaxRows ?? SCORE_MAX_ROWS;
  const synthetic = await sampleSynthTable(model, Math.min(rows, maxRows), { seed });
  const holdout = spec.holdoutPath === undefined ? undefined : (await loadTable(spec.holdoutPath, { schema })).table;
  const report = await scoreTables(real, synthetic, {
    seed: Number(seed % 2147483647n),
    privacy: spec.privacy ?? true,
    privacyMaxRows: maxRows,
    syntheticRowsWritten: rows,
    ...(holdout === undefined ? {} : { holdout }),
    ...(spec.targetColumn === undefined ? {} : { targetColumn: spec.targetColumn }),
    onProgress: (fraction) => onProgress(fraction),
  });
  // The report says how private the model is: the DP record in the JSON, a paragraph in the HTML.
  if (spec.reportJsonPath !== undefined) await writeFileAtomic(spec.reportJsonPath, `${JSON.stringify({ ...report, differentialPrivacy }, null, 2)}\n`);
  if (spec.reportHtmlPath !== undefined) await writeFileAtomic(spec.reportHtmlPath, withPrivacyNote(renderHtmlReport(report), differentialPrivacy));
  return {
    overall: report.quality.score,
    columnShapes: report.quality.columnShapes,
    columnPairTrends: report.quality.columnPairTrends,
    diagnostic: report.diagnostic.score,
    grade: report.verdict.grade,
    verdict: report.verdict.text,
    dcrBaselineProtection: report.privacy?.dcrBaselineProtection.score ?? null,
    newRowSynthesis: report.privacy?.newRowSynthesis.score ?? null,
    usefulness:
      report.usefulness === null ? null : { target: report.usefulness.target, metric: report.usefulness.primaryMetric, ratio: report.usefulness.ratio },
    scoredRealRows: report.tables.realRows,
    scoredSyntheticRows: report.tables.syntheticRows,
    privacyRealRows: report.privacy === null ? null : (report.settings.privacySampleRows?.real ?? report.tables.realRows),
    privacySyntheticRows: report.privacy === null ? null : (report.settings.privacySampleRows?.synthetic ?? report.tables.syntheticRows),
    syntheticRowsWritten: rows,
    exact: report.settings.allRows,
    sampling: report.settings.sampling,
    ruleBreaks: { synthetic: report.rareCombinations.syntheticShare, real: report.rareCombinations.realShare },
    dcrOverfittingProtection: report.privacy?.dcrOverfittingProtection?.score ?? null,
  };
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The report's HTML with one paragraph after the opening <body> saying whether the model is differentially private. */
function withPrivacyNote(html: string, record: DpRecord | null): string {
  const note =
    record === null
      ? "<p><strong>Differential privacy:</strong> none (the model was fitted without --epsilon).</p>"
      : `<p><strong>Differential privacy:</strong> ${escapeHtml(describeDp(record))}; mechanisms: ${escapeHtml(record.mechanisms.map((m) => `${m.release} (${m.mechanism}, ρ ${m.rho.toPrecision(3)})`).join("; "))}.</p>`;
  const at = html.search(/<body[^>]*>/);
  if (at < 0) return note + html;
  const end = html.indexOf(">", at) + 1;
  return html.slice(0, end) + note + html.slice(end);
}
