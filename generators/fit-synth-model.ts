/**
 * One entry point for every `--model`: the Gaussian copula, the tree model (Chow–Liu without ε,
 * MST with ε), the DP copula, AIM, and the neural CTGAN and TVAE. A private fit takes its domain from the user's schema only: each
 * column of the loaded table must be declared in that schema (a column left to inference would
 * have its type and bounds read from the data), and the schema's declared bounds and categories
 * are used, never the ones the loader filled in.
 */
import { createCryptoSource, type PrivacySource } from "../privacy/index.js";
import type { ColumnSchema, Table, TableSchema } from "../tabular/index.js";
import { fitDpCopula } from "./dp-copula/fit-dp-copula.js";
import { checkDpRequest, type SynthModelName } from "./dp-request.js";
import { DpInputError } from "./errors.js";
import { type FitOptions, fitGaussianCopula } from "./fit-copula.js";
import type { SynthModel } from "./model-file.js";
import { fitChowLiu, fitMst } from "./mst/fit-mst.js";
import { fitAim } from "./aim/fit-aim.js";
import { fitNeuralModel } from "./ctgan/fit-neural.js";
import type { NeuralFitSettings } from "./synthesizer.js";

export interface SynthFitOptions {
  model: SynthModelName;
  epsilon?: number | undefined;
  delta?: number | undefined;
  /** The user's schema (a `--schema` file), the only source of a private fit's domain. */
  userSchema?: TableSchema | undefined;
  /** DP copula only: share of ρ spent on private bounds of numerical columns the schema leaves open. */
  boundsEpsilonShare?: number | undefined;
  /** Noise source of a private fit; default node:crypto. Seeded sources are for tests and mark the model NOT private. */
  privacySource?: PrivacySource | undefined;
  copula?: FitOptions;
  /** CTGAN / TVAE training settings and the seed of their initialisation and batches. */
  neural?: NeuralFitSettings & { seed?: bigint | number };
}

const SCHEMA_HINT = "write one with `datalab schema <data> --categories --out s.json`, review it, and pass --schema s.json";

/** The user's declaration of every column of the loaded table, in the table's order. */
export function declaredSchema(table: Table, userSchema: TableSchema | undefined): TableSchema {
  if (userSchema === undefined) throw new DpInputError(`a private fit needs the domain of every column from a schema file, not from the data; ${SCHEMA_HINT}.`);
  const byName = new Map(userSchema.columns.map((column) => [column.name, column]));
  const columns: ColumnSchema[] = table.columns.map((column) => {
    const declared = byName.get(column.schema.name);
    if (declared === undefined)
      throw new DpInputError(
        `column "${column.schema.name}" is not in the schema file; a private fit cannot infer it from the data — add it (${SCHEMA_HINT}).`,
      );
    if (declared.type !== column.schema.type)
      throw new DpInputError(`column "${declared.name}" is ${declared.type} in the schema file but was read as ${column.schema.type}; fix the schema file.`);
    return declared;
  });
  return { version: userSchema.version, columns };
}

export function fitSynthModel(table: Table, schema: TableSchema, options: SynthFitOptions): SynthModel {
  const request = checkDpRequest(options.model, options.epsilon, options.delta, table.rowCount);
  if (options.model === "ctgan" || options.model === "tvae") {
    const neural = options.neural ?? {};
    return fitNeuralModel(table, {
      generator: options.model,
      ...(neural.epochs === undefined ? {} : { epochs: neural.epochs }),
      ...(neural.batchSize === undefined ? {} : { batchSize: neural.batchSize }),
      ...(neural.seed === undefined ? {} : { seed: neural.seed }),
      ...(neural.onEpoch === undefined ? {} : { onEpoch: neural.onEpoch }),
      ...(neural.signal === undefined ? {} : { signal: neural.signal }),
    });
  }
  if (request === null) return options.model === "mst" ? fitChowLiu(table, schema) : fitGaussianCopula(table, options.copula ?? {});
  const domainSchema = declaredSchema(table, options.userSchema);
  const source = options.privacySource ?? createCryptoSource();
  if (options.model === "aim") return fitAim(table, domainSchema, request, source);
  if (options.boundsEpsilonShare !== undefined && options.model !== "dp-copula")
    throw new DpInputError(`--bounds-epsilon-share applies to --model dp-copula; ${options.model} takes every bound from the schema file.`);
  return options.model === "mst"
    ? fitMst(table, domainSchema, request, source)
    : fitDpCopula(table, domainSchema, request, source, { boundsEpsilonShare: options.boundsEpsilonShare });
}
