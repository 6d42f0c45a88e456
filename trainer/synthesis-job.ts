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
  fitSynthesizer,
  isNeuralModel,
  loadSynthesizerModel,
  type MarginalFamily,
  openModelSampler,
  parseWhere,
  type SynthesizerModel,
  type SynthesizerName,
  sampleModelTable,
  sampleModelToFile,
  saveSynthesizerModel,
} from "../generators/index.js";
import { loadTable, readSchemaFile, type Table, type TableSchema, writeFileAtomic } from "../tabular/index.js";
import { renderHtmlReport, scoreTables } from "../benchmarks/index.js";

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
  /** The synthesizer (default copula). */
  model?: SynthesizerName | undefined;
  /** CTGAN / TVAE: passes over the data and rows per step (defaults in generators/). */
  epochs?: number | undefined;
  batchSize?: number | undefined;
  /** Score the output with the benchmark suite (default true). */
  score?: boolean | undefined;
  chunkRows?: number | undefined;
  /** Most rows of each table the all-pairs privacy metrics compare (default PRIVACY_ROWS_CAP); fidelity uses all rows. */
  privacyMaxRows?: number | undefined;
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
  rows: number;
  seed: string;
  /** The synthesizer that was fitted. */
  model: SynthesizerName;
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
   * Rows of each table the all-pairs privacy metrics compared: all of them, or a seeded sample of
   * PRIVACY_ROWS_CAP rows of a larger table (the report's settings.privacySampleRows says the same).
   */
  privacyRealRows: number | null;
  privacySyntheticRows: number | null;
}

/**
 * Most rows of each table the in-job privacy metrics compare: DCR, NewRowSynthesis, NNDR and
 * membership inference are all-pairs, O(real × synthetic). Fidelity always uses every row.
 */
export const PRIVACY_ROWS_CAP = 50_000;

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

function marginalsOf(model: SynthesizerModel): Record<string, string> {
  const out: Record<string, string> = {};
  if (isNeuralModel(model)) {
    // Mode-specific normalisation: the number of Gaussian mixture modes kept per column.
    for (const column of model.transform.columns) if (column.kind === "continuous") out[column.name] = `${column.means.length}-mode mixture`;
    return out;
  }
  for (const column of model.columns) {
    if (column.kind !== "numeric") continue;
    out[column.name] = column.marginal?.family ?? (column.constant !== null ? "constant" : "all-null");
  }
  return out;
}

const seconds = (from: number) => (performance.now() - from) / 1000;

export async function runSynthesisJob(spec: SynthesisJobSpec, hooks: JobHooks = {}): Promise<SynthesisJobSummary> {
  const started = performance.now();
  const progress = (fraction: number, stage: string) => hooks.onProgress?.(fraction, stage);
  const scoring = spec.score ?? true;
  // Shares of what follows the fit: sampling, then scoring.
  const sampleShare = scoring ? 0.8 : 1;

  // Malformed --where syntax fails before any work; its meaning is checked once the model exists.
  if (spec.where !== undefined) parseWhere(spec.where);
  progress(0, "load");
  let t = performance.now();
  const schema = typeof spec.schema === "string" ? await readSchemaFile(spec.schema) : spec.schema;
  const loaded = await loadTable(spec.inputPath, schema === undefined ? {} : { schema });
  const loadSeconds = seconds(t);
  hooks.signal?.throwIfAborted();

  progress(0.1, "fit");
  t = performance.now();
  const seed = BigInt.asUintN(64, BigInt(spec.seed ?? 0));
  const name = spec.model ?? "copula";
  // A neural fit is most of the job: the sample and score stages keep their shares after it.
  const fitEnd = name === "copula" ? 0.15 : 0.8;
  const model = fitSynthesizer(name, loaded.table, {
    allowOutOfRange: spec.allowOutOfRange ?? false,
    ...(spec.marginal === undefined ? {} : { marginal: spec.marginal }),
    ...(spec.epochs === undefined ? {} : { epochs: spec.epochs }),
    ...(spec.batchSize === undefined ? {} : { batchSize: spec.batchSize }),
    seed,
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onEpoch: (epoch, epochs, losses) =>
      progress(
        0.1 + ((fitEnd - 0.1) * epoch) / epochs,
        `epoch ${epoch}/${epochs} G ${losses.generator.toFixed(3)}${losses.discriminator === undefined ? "" : ` D ${losses.discriminator.toFixed(3)}`}`,
      ),
  });
  const fitSeconds = seconds(t);
  // Check the conditions now, so a bad --where leaves no file behind.
  openModelSampler(model, { seed, ...(spec.where === undefined ? {} : { where: spec.where }) });
  hooks.signal?.throwIfAborted();

  const rows = spec.rows ?? loaded.table.rowCount;
  const afterFit = (share: number) => fitEnd + (1 - fitEnd) * share;
  progress(fitEnd, "sample");
  t = performance.now();
  await sampleModelToFile(model, spec.outputPath, rows, {
    seed,
    ...(spec.where === undefined ? {} : { where: spec.where }),
    ...(spec.chunkRows === undefined ? {} : { chunkRows: spec.chunkRows }),
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onProgress: (fraction) => progress(afterFit(sampleShare * fraction), "sample"),
  });
  const sampleSeconds = seconds(t);
  if (spec.modelOutPath !== undefined) await saveSynthesizerModel(spec.modelOutPath, model);

  const warnings = [...loaded.warnings, ...model.warnings];
  let quality: SynthesisQuality | undefined;
  t = performance.now();
  if (scoring && spec.where !== undefined) {
    warnings.push("scoring skipped: with --where the synthetic rows follow the condition, so comparing them with the whole real table would not measure fidelity");
  } else if (scoring && rows > 0) {
    progress(afterFit(sampleShare), "score");
    quality = await scoreSynthesis(loaded.table, loaded.schema, model, seed, rows, spec, (f) => progress(afterFit(sampleShare + (1 - sampleShare) * f), "score"));
  }
  const scoreSeconds = seconds(t);
  progress(1, "done");

  const outputs: SynthesisJobSummary["outputs"] = { table: spec.outputPath };
  if (spec.modelOutPath !== undefined) outputs.model = spec.modelOutPath;
  if (quality !== undefined && spec.reportJsonPath !== undefined) outputs.reportJson = spec.reportJsonPath;
  if (quality !== undefined && spec.reportHtmlPath !== undefined) outputs.reportHtml = spec.reportHtmlPath;
  return {
    rows,
    seed: seed.toString(),
    model: name,
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
  const model = await loadSynthesizerModel(modelPath);
  const seedValue = BigInt.asUintN(64, BigInt(seed));
  hooks.onProgress?.(0.02, "sample");
  const rowCount = rows ?? model.training.rows;
  const result = await sampleModelToFile(model, outputPath, rowCount, {
    seed: seedValue,
    ...(where === undefined ? {} : { where }),
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onProgress: (fraction) => hooks.onProgress?.(0.02 + 0.98 * fraction, "sample"),
  });
  hooks.onProgress?.(1, "done");
  return { rows: rowCount, seed: seedValue.toString(), seconds: { sample: result.seconds, total: seconds(started) }, warnings: [...model.warnings], outputs: { table: outputPath } };
}

async function scoreSynthesis(
  real: Table,
  schema: TableSchema,
  model: SynthesizerModel,
  seed: bigint,
  rows: number,
  spec: SynthesisJobSpec,
  onProgress: (fraction: number) => void,
): Promise<SynthesisQuality> {
  // The rows of the output file, regenerated in memory: sampling is keyed by global row index,
  // so these are exactly the rows written (no need to parse the file back). Fidelity is scored
  // on all of them; the privacy metrics on seeded samples of at most PRIVACY_ROWS_CAP rows.
  const synthetic = await sampleModelTable(model, rows, { seed });
  const holdout = spec.holdoutPath === undefined ? undefined : (await loadTable(spec.holdoutPath, { schema })).table;
  const report = await scoreTables(real, synthetic, {
    seed: Number(seed % 2147483647n),
    privacyMaxRows: spec.privacyMaxRows ?? PRIVACY_ROWS_CAP,
    ...(holdout === undefined ? {} : { holdout }),
    ...(spec.targetColumn === undefined ? {} : { targetColumn: spec.targetColumn }),
    onProgress: (fraction) => onProgress(fraction),
  });
  if (spec.reportJsonPath !== undefined) await writeFileAtomic(spec.reportJsonPath, `${JSON.stringify(report, null, 2)}\n`);
  if (spec.reportHtmlPath !== undefined) await writeFileAtomic(spec.reportHtmlPath, renderHtmlReport(report));
  return {
    overall: report.quality.score,
    columnShapes: report.quality.columnShapes,
    columnPairTrends: report.quality.columnPairTrends,
    diagnostic: report.diagnostic.score,
    grade: report.verdict.grade,
    verdict: report.verdict.text,
    dcrBaselineProtection: report.privacy?.dcrBaselineProtection.score ?? null,
    newRowSynthesis: report.privacy?.newRowSynthesis.score ?? null,
    usefulness: report.usefulness === null ? null : { target: report.usefulness.target, metric: report.usefulness.primaryMetric, ratio: report.usefulness.ratio },
    scoredRealRows: report.tables.realRows,
    scoredSyntheticRows: report.tables.syntheticRows,
    privacyRealRows: report.privacy === null ? null : (report.settings.privacySampleRows?.real ?? report.tables.realRows),
    privacySyntheticRows: report.privacy === null ? null : (report.settings.privacySampleRows?.synthetic ?? report.tables.syntheticRows),
  };
}
