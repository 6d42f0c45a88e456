/**
 * Structural validation of a Gaussian-copula model read from a file (or an upload). The checksum
 * only proves the file is as its writer left it; a hand-edited file with a recomputed checksum
 * can still hold negative frequencies, strings in a quantile table, `decimals: 400` or a schema
 * that contradicts the column models, and the sampler would turn that into nonsense rows or a
 * crash deep inside. Every rule here is one the fitter guarantees (fit-copula.ts) and the sampler
 * relies on (copula-sampler.ts); the first broken rule is reported with its JSON path, e.g.
 * `$.columns[2].frequencies[0] must be a finite number ≥ 0, got -0.5`.
 */
import { validateSchema } from "../tabular/index.js";
import type { TableSchema } from "../tabular/index.js";
import { PARAMETRIC_FAMILIES } from "./marginal-families.js";

/** A broken rule: where (a JSON path from the model's root, `$`) and what the rule says. */
export class ModelStructureProblem {
  readonly path: string;
  readonly rule: string;
  constructor(path: string, rule: string) {
    this.path = path;
    this.rule = rule;
  }
  toString(): string {
    return `${this.path} ${this.rule}`;
  }
}

/** Same bounds as the schema file's `decimals` (tabular/schema-file.ts). */
const MAX_DECIMALS = 20;
/** Far above any grid the fitter writes; keeps a hostile file from asking for a huge allocation. */
const MAX_Z_KNOTS = 1_000_000;
/** Tolerance for sums and bounds that the fitter computes in float64 (a few ulps of accumulated rounding). */
const SUM_TOLERANCE = 1e-6;
const FAMILIES: readonly string[] = [...PARAMETRIC_FAMILIES, "empirical"];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Throws the first problem found; the checks read top-down so the message names the first defect a reader meets. */
class Checker {
  fail(path: string, rule: string, ...value: [unknown?]): never {
    throw new ModelStructureProblem(path, value.length > 0 ? `${rule}, got ${shown(value[0])}` : rule);
  }

  object(path: string, value: unknown): Json {
    if (!isObject(value)) this.fail(path, "must be an object", value);
    return value;
  }

  array(path: string, value: unknown): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "must be an array", value);
    return value;
  }

  finite(path: string, value: unknown): number {
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, "must be a finite number", value);
    return value;
  }

  between(path: string, value: unknown, low: number, high: number): number {
    const x = this.finite(path, value);
    if (x < low || x > high) this.fail(path, `must be a number from ${low} to ${high}`, value);
    return x;
  }

  integer(path: string, value: unknown, low: number, high: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high)
      this.fail(path, `must be a whole number from ${low} to ${high}`, value);
    return value;
  }

  boolean(path: string, value: unknown): boolean {
    if (typeof value !== "boolean") this.fail(path, "must be true or false", value);
    return value;
  }

  string(path: string, value: unknown): string {
    if (typeof value !== "string") this.fail(path, "must be a string", value);
    return value;
  }

  nullOr<T>(value: unknown, check: (value: unknown) => T): T | null {
    return value === null ? null : check(value);
  }

  /** Increasing (non-strictly) cell bounds in (0, 1] ending at 1. */
  cumulative(path: string, value: unknown, length: number): void {
    const bounds = this.array(path, value);
    if (bounds.length !== length) this.fail(path, `must hold ${length} cell bounds (one per cell)`, `${bounds.length} entries`);
    let previous = 0;
    bounds.forEach((bound, i) => {
      const x = this.between(`${path}[${i}]`, bound, 0, 1);
      if (x < previous) this.fail(`${path}[${i}]`, `must not be below the bound before it (${previous})`, x);
      previous = x;
    });
    if (Math.abs(previous - 1) > SUM_TOLERANCE) this.fail(`${path}[${bounds.length - 1}]`, "must be 1 (the last cell ends at probability 1)", previous);
  }
}

/** Which model kind each schema type is learned as (fit-copula.ts). */
function kindOfSchemaType(type: TableSchema["columns"][number]["type"]): string {
  if (type === "numerical" || type === "datetime") return "numeric";
  if (type === "categorical" || type === "boolean") return "categorical";
  return "text";
}

/** The rounding kind the fitter writes for each numeric schema type. */
function roundingOfSchema(schema: TableSchema["columns"][number]): string | undefined {
  if (schema.type === "datetime") return "step";
  if (schema.type === "numerical") return schema.subtype === "integer" ? "integer" : "decimals";
  return undefined;
}

/** The first structural defect of a parsed model (everything but the checksum field), or null. */
export function modelStructureProblem(model: unknown): ModelStructureProblem | null {
  try {
    checkModel(new Checker(), model);
    return null;
  } catch (error) {
    if (error instanceof ModelStructureProblem) return error;
    throw error;
  }
}

function checkModel(c: Checker, model: unknown): void {
  const root = c.object("$", model);
  let schema: TableSchema;
  try {
    schema = validateSchema(root["schema"], "$.schema");
  } catch (error) {
    // SchemaError messages name the column and the rule ("$.schema: column 2 ("x"): …").
    const message = (error instanceof Error ? error.message : String(error)).replace(/^\$\.schema: /, "").replace(/\.$/, "");
    throw new ModelStructureProblem("$.schema", `is not a valid schema: ${message}`);
  }
  const training = c.object("$.training", root["training"]);
  c.integer("$.training.rows", training["rows"], 1, Number.MAX_SAFE_INTEGER);
  c.boolean("$.training.allowOutOfRange", training["allowOutOfRange"]);
  const zGrid = c.object("$.zGrid", root["zGrid"]);
  const zMin = c.finite("$.zGrid.min", zGrid["min"]);
  const zMax = c.finite("$.zGrid.max", zGrid["max"]);
  if (!(zMin < zMax)) c.fail("$.zGrid.max", `must be above $.zGrid.min (${zMin})`, zMax);
  const knots = c.integer("$.zGrid.knots", zGrid["knots"], 2, MAX_Z_KNOTS);
  c.boolean("$.correlationRepaired", root["correlationRepaired"]);
  for (const [i, w] of c.array("$.warnings", root["warnings"]).entries()) c.string(`$.warnings[${i}]`, w);

  const columns = c.array("$.columns", root["columns"]);
  if (columns.length !== schema.columns.length)
    c.fail("$.columns", `must hold one model per schema column (${schema.columns.length})`, `${columns.length} entries`);
  const dimensions = c.array("$.dimensions", root["dimensions"]).map((d, k) => c.object(`$.dimensions[${k}]`, d));
  /** Which column entry claims each dimension, so every dimension belongs to exactly one column. */
  const claimedBy = new Map<number, string>();
  /** Columns that point at each joint dimension. */
  const jointClaims = new Map<number, number[]>();
  const claim = (path: string, index: unknown, column: number, role: string): number | null => {
    const k = c.nullOr(index, (v) => c.integer(path, v, 0, dimensions.length - 1));
    if (k === null) return null;
    const dimension = dimensions[k]!;
    // A joint dimension (model version 2) is shared by its member columns, each pointing at it.
    if (role === "category" && dimension["role"] === "joint") {
      const members = dimension["members"];
      if (!Array.isArray(members) || !members.includes(column))
        c.fail(path, `must point at a "joint" dimension whose members list column ${column}`, `dimension ${k}`);
      jointClaims.set(k, [...(jointClaims.get(k) ?? []), column]);
      return k;
    }
    if (dimension["role"] !== role || dimension["column"] !== column)
      c.fail(
        path,
        `must point at a "${role}" dimension of column ${column}`,
        `dimension ${k} (${shown(dimension["role"])} of column ${shown(dimension["column"])})`,
      );
    const other = claimedBy.get(k);
    if (other !== undefined) c.fail(path, `points at dimension ${k}, which ${other} already uses`);
    claimedBy.set(k, path);
    return k;
  };

  columns.forEach((entry, i) => {
    const at = `$.columns[${i}]`;
    const column = c.object(at, entry);
    const columnSchema = schema.columns[i]!;
    if (column["name"] !== columnSchema.name) c.fail(`${at}.name`, `must be the schema's column name "${columnSchema.name}"`, column["name"]);
    const kind = kindOfSchemaType(columnSchema.type);
    if (column["kind"] !== kind) c.fail(`${at}.kind`, `must be "${kind}" for a ${columnSchema.type} column in $.schema`, column["kind"]);
    // A differentially private copula (generators/dp-copula) keeps noisy histograms, not a fitted family.
    if (kind === "numeric") checkNumericColumn(c, at, column, columnSchema, i, claim, isObject(root["privacy"]));
    if (kind === "categorical") checkCategoricalColumn(c, at, column, i, dimensions, claim);
    if (column["derived"] !== undefined) checkDerivedColumn(c, at, column, i, columns);
  });

  dimensions.forEach((dimension, k) => {
    const at = `$.dimensions[${k}]`;
    c.integer(`${at}.column`, dimension["column"], 0, columns.length - 1);
    const role = dimension["role"];
    if (role !== "value" && role !== "category" && role !== "null" && role !== "joint")
      c.fail(`${at}.role`, 'must be "value", "category", "null" or "joint"', role);
    if (role === "joint") {
      checkJointDimension(c, at, dimension, k, columns, jointClaims.get(k) ?? []);
      return;
    }
    if (!claimedBy.has(k)) c.fail(at, "belongs to no column (no column model points at it)");
    if (role === "value") {
      // The quantile table value(z) = F⁻¹(Φ(z)) on the z grid: finite and never decreasing.
      const table = c.array(`${at}.table`, dimension["table"]);
      if (table.length !== knots) c.fail(`${at}.table`, `must hold one value per z-grid knot (${knots})`, `${table.length} entries`);
      let previous = Number.NEGATIVE_INFINITY;
      table.forEach((v, j) => {
        const x = c.finite(`${at}.table[${j}]`, v);
        if (x < previous) c.fail(`${at}.table[${j}]`, `must not be below the value before it (${previous}): a quantile table never decreases`, x);
        previous = x;
      });
    }
    if (role === "null") c.cumulative(`${at}.cumulative`, dimension["cumulative"], 2);
  });

  const d = dimensions.length;
  const correlation = c.array("$.correlation", root["correlation"]);
  if (correlation.length !== d * d) c.fail("$.correlation", `must hold ${d}×${d} = ${d * d} entries (one row per dimension)`, `${correlation.length} entries`);
  for (let r = 0; r < d; r++) {
    for (let s = 0; s < d; s++) {
      const path = `$.correlation[${r * d + s}]`;
      const x = c.between(path, correlation[r * d + s], -1, 1);
      if (r === s && Math.abs(x - 1) > SUM_TOLERANCE) c.fail(path, `must be 1 (diagonal entry of dimension ${r})`, x);
      if (s < r && Math.abs(x - (correlation[s * d + r] as number)) > SUM_TOLERANCE)
        c.fail(path, `must equal $.correlation[${s * d + r}] (the matrix is symmetric)`, x);
    }
  }
}

function checkNumericColumn(
  c: Checker,
  at: string,
  column: Json,
  schema: TableSchema["columns"][number],
  index: number,
  claim: (path: string, value: unknown, column: number, role: string) => number | null,
  histogramMarginals = false,
): void {
  const nullRate = c.between(`${at}.nullRate`, column["nullRate"], 0, 1);
  const constant = c.nullOr(column["constant"], (v) => c.finite(`${at}.constant`, v));
  const valueDimension = claim(`${at}.valueDimension`, column["valueDimension"], index, "value");
  const nullDimension = claim(`${at}.nullDimension`, column["nullDimension"], index, "null");
  const min = c.nullOr(column["min"], (v) => c.finite(`${at}.min`, v));
  const max = c.nullOr(column["max"], (v) => c.finite(`${at}.max`, v));
  if (min !== null && max !== null && min > max) c.fail(`${at}.max`, `must not be below ${at}.min (${min})`, max);
  if (valueDimension !== null && constant !== null) c.fail(`${at}.constant`, "must be null for a column with a value dimension", constant);
  const derived = column["derived"] !== undefined;
  if (derived && (valueDimension !== null || nullDimension !== null)) c.fail(at, "is derived from another column and must have no dimension of its own");
  if (!derived && valueDimension === null && constant === null && nullRate < 1)
    c.fail(at, "has values (nullRate below 1) but neither a constant nor a value dimension");
  if (nullDimension !== null && !(nullRate > 0 && nullRate < 1))
    c.fail(`${at}.nullRate`, "must be strictly between 0 and 1 for a column with a null dimension", nullRate);

  const marginal = c.nullOr(column["marginal"], (v) => c.object(`${at}.marginal`, v));
  if (valueDimension !== null && marginal === null && !histogramMarginals) c.fail(`${at}.marginal`, "must be set for a column with a value dimension");
  if (marginal !== null) {
    if (typeof marginal["family"] !== "string" || !FAMILIES.includes(marginal["family"]))
      c.fail(`${at}.marginal.family`, `must be one of ${FAMILIES.join(", ")}`, marginal["family"]);
    const params = c.object(`${at}.marginal.params`, marginal["params"]);
    for (const [key, value] of Object.entries(params)) c.finite(`${at}.marginal.params.${key}`, value);
    c.between(`${at}.marginal.ks`, marginal["ks"], 0, 1);
    c.array(`${at}.marginal.candidates`, marginal["candidates"]);
  }

  const rounding = c.object(`${at}.rounding`, column["rounding"]);
  const expected = roundingOfSchema(schema);
  if (rounding["kind"] !== expected)
    c.fail(
      `${at}.rounding.kind`,
      `must be "${expected}" for a ${schema.type}${schema.type === "numerical" ? ` ${schema.subtype}` : ""} column in $.schema`,
      rounding["kind"],
    );
  if (expected === "decimals") c.integer(`${at}.rounding.decimals`, rounding["decimals"], 0, MAX_DECIMALS);
  if (expected === "step") {
    const step = c.finite(`${at}.rounding.stepMs`, rounding["stepMs"]);
    if (!(step > 0)) c.fail(`${at}.rounding.stepMs`, "must be above 0", step);
  }
}

function checkCategoricalColumn(
  c: Checker,
  at: string,
  column: Json,
  index: number,
  dimensions: Json[],
  claim: (path: string, value: unknown, column: number, role: string) => number | null,
): void {
  const categories = c.array(`${at}.categories`, column["categories"]);
  for (const [j, label] of categories.entries()) c.string(`${at}.categories[${j}]`, label);
  const order = c.array(`${at}.order`, column["order"]);
  const seen = new Set<number>();
  order.forEach((code, j) => {
    const value = c.integer(`${at}.order[${j}]`, code, -1, categories.length - 1);
    if (seen.has(value)) c.fail(`${at}.order[${j}]`, "must not repeat a category code", value);
    seen.add(value);
  });
  if (order.length === 0) c.fail(`${at}.order`, "must list at least one category code");
  const frequencies = c.array(`${at}.frequencies`, column["frequencies"]);
  if (frequencies.length !== order.length)
    c.fail(`${at}.frequencies`, `must hold one frequency per entry of ${at}.order (${order.length})`, `${frequencies.length} entries`);
  let total = 0;
  frequencies.forEach((f, j) => {
    const x = c.finite(`${at}.frequencies[${j}]`, f);
    if (x < 0) c.fail(`${at}.frequencies[${j}]`, "must be a finite number ≥ 0", x);
    total += x;
  });
  if (Math.abs(total - 1) > SUM_TOLERANCE) c.fail(`${at}.frequencies`, "must add up to 1", `a sum of ${total}`);
  const dimension = claim(`${at}.dimension`, column["dimension"], index, "category");
  if (dimension === null) {
    if (order.length !== 1 && column["derived"] === undefined)
      c.fail(`${at}.dimension`, `must be set for a column with ${order.length} categories (only a single-category or derived column has none)`, null);
  } else if (column["derived"] !== undefined) {
    c.fail(`${at}.dimension`, "must be null for a column derived from another column", dimension);
  } else if (dimensions[dimension]!["role"] !== "joint") {
    c.cumulative(`$.dimensions[${dimension}].cumulative`, dimensions[dimension]!["cumulative"], order.length);
  }
}

/** Model version 2: a column computed from a modelled source (copy of a number, or a map from the source's categories). */
function checkDerivedColumn(c: Checker, at: string, column: Json, index: number, columns: unknown[]): void {
  const rule = c.object(`${at}.derived`, column["derived"]);
  const source = c.integer(`${at}.derived.source`, rule["source"], 0, columns.length - 1);
  if (source === index) c.fail(`${at}.derived.source`, "must name another column", source);
  const sourceColumn = columns[source] as Json;
  if (sourceColumn["derived"] !== undefined || sourceColumn["kind"] === "text")
    c.fail(`${at}.derived.source`, "must name a modelled (not derived, not text) column", source);
  if (rule["kind"] === "copy") {
    if (sourceColumn["kind"] !== "numeric" || column["kind"] !== "numeric")
      c.fail(`${at}.derived.kind`, '"copy" needs a numerical column and source', rule["kind"]);
    return;
  }
  if (rule["kind"] !== "map") c.fail(`${at}.derived.kind`, 'must be "copy" or "map"', rule["kind"]);
  if (sourceColumn["kind"] !== "categorical") c.fail(`${at}.derived.source`, "must name a categorical column for a map", source);
  const sourceCategories = (sourceColumn["categories"] as unknown[] | undefined)?.length ?? 0;
  const map = c.array(`${at}.derived.map`, rule["map"]);
  if (map.length !== sourceCategories + 1)
    c.fail(`${at}.derived.map`, `must hold one entry per source category plus one for null (${sourceCategories + 1})`, `${map.length} entries`);
  const ownCategories = (column["categories"] as unknown[] | undefined)?.length ?? 0;
  map.forEach((value, j) => {
    if (value === null) return;
    if (column["kind"] === "categorical") c.integer(`${at}.derived.map[${j}]`, value, -1, ownCategories - 1);
    else c.finite(`${at}.derived.map[${j}]`, value);
  });
}

/** Model version 2: one dimension over the observed combinations (`cells`) of several categorical columns (`members`). */
function checkJointDimension(c: Checker, at: string, dimension: Json, k: number, columns: unknown[], claimedBy: number[]): void {
  const members = c.array(`${at}.members`, dimension["members"]).map((m, j) => c.integer(`${at}.members[${j}]`, m, 0, columns.length - 1));
  if (members.length < 2 || new Set(members).size !== members.length) c.fail(`${at}.members`, "must list two or more distinct columns", members);
  for (const member of members) {
    const column = columns[member] as Json;
    if (column["kind"] !== "categorical" || column["dimension"] !== k)
      c.fail(`${at}.members`, `lists column ${member}, whose model does not point at dimension ${k}`);
  }
  if (claimedBy.length !== members.length) c.fail(at, `is pointed at by columns ${claimedBy.join(", ")}, not exactly its members`);
  const cells = c.array(`${at}.cells`, dimension["cells"]);
  cells.forEach((cell, j) => {
    const codes = c.array(`${at}.cells[${j}]`, cell);
    if (codes.length !== members.length) c.fail(`${at}.cells[${j}]`, `must hold one code per member (${members.length})`, codes);
    codes.forEach((code, m) => {
      const categories = ((columns[members[m]!] as Json)["categories"] as unknown[] | undefined)?.length ?? 0;
      c.integer(`${at}.cells[${j}][${m}]`, code, -1, categories - 1);
    });
  });
  c.cumulative(`${at}.cumulative`, dimension["cumulative"], cells.length);
}
