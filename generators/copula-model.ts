/**
 * The fitted Gaussian copula as plain JSON-able data: what `fitGaussianCopula` returns, what the
 * model file holds (see `model-file.ts`) and what the sampler reads. Column models follow the
 * schema's column order; the copula's dimensions (one per modelled value, category set or null
 * indicator) are listed separately and referenced by index.
 */
import type { TableSchema } from "../tabular/index.js";
import type { CandidateScore } from "./marginal-fit.js";
import type { DpRecord } from "./dp-record.js";
import type { MarginalFamily } from "./marginal-families.js";

export const MODEL_FORMAT = "datalab-model";
/**
 * Bump on any change an older reader could misread. Version 2 added derived columns and joint
 * dimensions (`column-rules.ts`); a version-1 file is a valid version-2 model without them.
 */
export const MODEL_VERSION = 2;
/** Versions this code reads. */
export const READABLE_MODEL_VERSIONS: readonly number[] = [1, 2];
export const GENERATOR_NAME = "gaussian-copula";

/** How sampled numbers are rounded before they are written. */
export type Rounding = { kind: "integer" } | { kind: "decimals"; decimals: number } | { kind: "step"; stepMs: number };

export interface NumericColumnModel {
  kind: "numeric";
  name: string;
  /** Fraction of null values in the training data. */
  nullRate: number;
  /** The one value of a constant column (null when the column is entirely null or modelled). */
  constant: number | null;
  /** Index of the value dimension in `dimensions`, null when not modelled (constant or all-null). */
  valueDimension: number | null;
  /** Index of the null-indicator dimension, null when the column has no nulls or only nulls. */
  nullDimension: number | null;
  marginal: { family: MarginalFamily; params: Record<string, number>; ks: number; candidates: CandidateScore[] } | null;
  min: number | null;
  max: number | null;
  rounding: Rounding;
  /** Set when the column is computed from another column instead of modelled (then it has no dimensions). */
  derived?: DerivedColumn;
}

/**
 * A column computed from its source column (never itself derived): `copy` takes the numerical
 * source's value; `map` reads map[source code + 1] — this column's category code (−1 = null) or,
 * for a numerical column, its value (null = missing).
 */
export type DerivedColumn = { kind: "copy"; source: number } | { kind: "map"; source: number; map: (number | null)[] };

export interface CategoricalColumnModel {
  kind: "categorical";
  name: string;
  /** The training table's labels; a code is an index into this list. */
  categories: string[];
  /** Codes in the order of their z intervals (−1 = null, modelled as its own category). */
  order: number[];
  /** Relative frequency of each entry of `order`. */
  frequencies: number[];
  /**
   * Index of the dimension in `dimensions`, null for a column with a single category or a derived
   * one. For a member of a joint group it is the group's `joint` dimension, shared by the members.
   */
  dimension: number | null;
  /** Set when the column is computed from another column instead of modelled. */
  derived?: DerivedColumn;
}

/** id and pii columns: never learned, regenerated at sampling time. */
export interface TextColumnModel {
  kind: "text";
  name: string;
}

export type ColumnModel = NumericColumnModel | CategoricalColumnModel | TextColumnModel;

/**
 * One dimension of the latent Gaussian.
 * - `value`: `table` holds value(z) = F⁻¹(Φ(z)) on the z grid.
 * - `joint`: cells are the observed combinations of several categorical columns (`members`,
 *   `cells`), with `cumulative` as for `category`.
 * - `category` / `null`: `cumulative` holds the upper bounds of the cells in probability
 *   (the last is 1); the z bounds are Φ⁻¹ of these. For `null`, cell 0 = present, cell 1 = null.
 */
export interface CopulaDimension {
  column: number;
  role: "value" | "category" | "null" | "joint";
  table?: number[];
  cumulative?: number[];
  /** `joint` only: the member columns, in column order … */
  members?: number[];
  /** … and, per cell in z order, each member's category code (−1 = null). */
  cells?: number[][];
}

export interface CopulaModel {
  format: typeof MODEL_FORMAT;
  version: number;
  generator: typeof GENERATOR_NAME;
  schema: TableSchema;
  training: { rows: number; allowOutOfRange: boolean };
  zGrid: { min: number; max: number; knots: number };
  columns: ColumnModel[];
  dimensions: CopulaDimension[];
  /** d×d latent correlation, row-major, positive definite. */
  correlation: number[];
  /** Whether the estimated matrix had to be repaired to the nearest correlation matrix. */
  correlationRepaired: boolean;
  warnings: string[];
  /** Present on a differentially private copula (`datalab synth --model dp-copula --epsilon E`): its ε, δ, ρ and mechanisms. */
  privacy?: DpRecord;
}
