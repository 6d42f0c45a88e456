/**
 * Turns parsed `--where` terms into constraints on the copula's latent dimensions:
 * - a categorical equality keeps that category's z interval (a range, not a point), `!=` keeps
 *   every other one (a union of intervals);
 * - a numerical or datetime condition becomes a closed value range on the column's output
 *   lattice (whole numbers, `decimals` digits, or the datetime step), mapped through the
 *   marginal's table to the z interval whose values round into it; the column's null indicator
 *   is held at "present";
 * - a condition on a derived column (`column-rules.ts`) becomes the set of its source's
 *   categories that map into it (a copy: the same terms on the source), and a condition on a
 *   member of a joint dimension becomes the set of joint cells whose member category it allows;
 *   several members' conditions intersect on that set;
 * - anything the model cannot satisfy is a ConditionError that says what would be valid.
 * Sampled values of conditioned numerical columns are finally clamped into their range, so the
 * output meets every condition exactly.
 */
import type { CategoricalColumnModel, CopulaModel, NumericColumnModel, Rounding } from "./copula-model.js";
import { categoryZBounds, zIntervalForValues } from "./dimension-tables.js";
import { ConditionError } from "./errors.js";
import type { IntervalSet } from "./truncated-normal.js";
import type { ConditionTerm } from "./where-syntax.js";

export interface DimensionConstraint {
  dimension: number;
  intervals: IntervalSet;
}

/** Sampled values of `column` are clamped into [low, high] (the lattice range the condition allows). */
export interface ValueConstraint {
  column: number;
  low: number;
  high: number;
}

export interface ConditionPlan {
  dimensions: DimensionConstraint[];
  values: ValueConstraint[];
}

function latticeStep(rounding: Rounding): number {
  if (rounding.kind === "integer") return 1;
  if (rounding.kind === "step") return rounding.stepMs;
  return 10 ** -rounding.decimals;
}

function listForMessage(items: readonly string[], limit = 12): string {
  const shown = items.slice(0, limit).map((s) => JSON.stringify(s));
  return items.length > limit ? `${shown.join(", ")} … (${items.length} in all)` : shown.join(", ");
}

function parseNumber(term: ConditionTerm, model: NumericColumnModel, isDatetime: boolean): number {
  const text = term.value.trim();
  const direct = Number(text);
  if (text !== "" && Number.isFinite(direct)) return direct;
  if (isDatetime) {
    const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
    if (Number.isFinite(parsed)) return parsed;
    throw new ConditionError(
      `"${term.text}": "${term.value}" is not a date; write an ISO date such as 2012-06-30 or 2012-06-30T12:00:00Z for column "${model.name}".`,
    );
  }
  throw new ConditionError(`"${term.text}": "${term.value}" is not a number; column "${model.name}" is numerical.`);
}

function formatBound(value: number, isDatetime: boolean): string {
  return isDatetime ? new Date(value).toISOString() : String(value);
}

/** The closed value range on the column's output lattice that the terms allow. */
function numericRange(model: CopulaModel, columnIndex: number, column: NumericColumnModel, terms: ConditionTerm[]): { low: number; high: number } {
  const isDatetime = model.schema.columns[columnIndex]?.type === "datetime";
  const step = latticeStep(column.rounding);
  const tolerance = 1e-9;
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  for (const term of terms) {
    if (term.operator === "!=")
      throw new ConditionError(`"${term.text}": != applies to categorical columns; for numerical column "${column.name}" use <, <=, > or >=.`);
    const x = parseNumber(term, column, isDatetime);
    const k = x / step;
    if (term.operator === "=") {
      low = Math.max(low, x);
      high = Math.min(high, x);
    } else if (term.operator === ">") low = Math.max(low, (Math.floor(k + tolerance) + 1) * step);
    else if (term.operator === ">=") low = Math.max(low, Math.ceil(k - tolerance) * step);
    else if (term.operator === "<") high = Math.min(high, (Math.ceil(k - tolerance) - 1) * step);
    else high = Math.min(high, Math.floor(k + tolerance) * step);
  }
  const all = terms.map((t) => `"${t.text}"`).join(" and ");
  if (low > high) throw new ConditionError(`${all} contradict each other: no value of "${column.name}" meets them all; relax one of them.`);
  return { low, high };
}

function planNumeric(model: CopulaModel, columnIndex: number, column: NumericColumnModel, terms: ConditionTerm[], plan: ConditionPlan): void {
  const isDatetime = model.schema.columns[columnIndex]?.type === "datetime";
  const step = latticeStep(column.rounding);
  const tolerance = 1e-9;
  const { low, high } = numericRange(model, columnIndex, column, terms);
  const all = terms.map((t) => `"${t.text}"`).join(" and ");
  if (column.min === null || column.max === null) {
    throw new ConditionError(`column "${column.name}" is entirely null in the training data, so it cannot be conditioned on; drop ${all}.`);
  }
  const range = `[${formatBound(column.min, isDatetime)}, ${formatBound(column.max, isDatetime)}]`;
  if (column.constant !== null) {
    if (column.constant < low - tolerance * step || column.constant > high + tolerance * step) {
      throw new ConditionError(`${all} cannot hold: column "${column.name}" is constant (${formatBound(column.constant, isDatetime)}) in the training data.`);
    }
  } else {
    const dimension = model.dimensions[column.valueDimension ?? -1];
    const table = Float64Array.from(dimension?.table ?? []);
    const interval = zIntervalForValues(table, model.zGrid.min, model.zGrid.max, low - step / 2, high + step / 2);
    if (interval === null) {
      const hint = model.training.allowOutOfRange ? "" : " (values are kept inside the observed range; refit with --allow-out-of-range to go beyond it)";
      throw new ConditionError(`${all} lies outside the values the model gives column "${column.name}": the observed range is ${range}${hint}.`);
    }
    plan.dimensions.push({ dimension: column.valueDimension!, intervals: [interval] });
    plan.values.push({ column: columnIndex, low, high });
  }
  if (column.nullDimension !== null) {
    const cumulative = model.dimensions[column.nullDimension]?.cumulative ?? [1, 1];
    const bounds = categoryZBounds(cumulative);
    plan.dimensions.push({ dimension: column.nullDimension, intervals: [[Number.NEGATIVE_INFINITY, bounds[0]!]] });
  }
}

function matchCategory(term: ConditionTerm, model: CopulaModel, columnIndex: number, column: CategoricalColumnModel): number {
  const exact = column.categories.indexOf(term.value);
  if (exact >= 0) return exact;
  const schema = model.schema.columns[columnIndex];
  if (schema?.type === "boolean") {
    const lower = term.value.toLowerCase();
    if (lower === "true") return 1;
    if (lower === "false") return 0;
  }
  const folded = column.categories.filter((c) => c.toLowerCase() === term.value.toLowerCase());
  if (folded.length === 1) return column.categories.indexOf(folded[0]!);
  throw new ConditionError(`"${term.text}": "${term.value}" never occurs in column "${column.name}"; its values are ${listForMessage(column.categories)}.`);
}

/** The column's category codes the terms leave possible (each term checked against the model). */
function allowedCategories(model: CopulaModel, columnIndex: number, column: CategoricalColumnModel, terms: ConditionTerm[]): Set<number> {
  const allowed = new Set(column.order);
  for (const term of terms) {
    if (term.operator !== "=" && term.operator !== "!=") {
      throw new ConditionError(`"${term.text}": ${term.operator} needs a numerical or datetime column, but "${column.name}" is categorical; use = or !=.`);
    }
    const code = matchCategory(term, model, columnIndex, column);
    if (term.operator === "=") {
      for (const c of [...allowed]) if (c !== code) allowed.delete(c);
    } else allowed.delete(code);
  }
  if (allowed.size === 0) {
    throw new ConditionError(`${terms.map((t) => `"${t.text}"`).join(" and ")} leave no value of "${column.name}" possible; relax one of them.`);
  }
  return allowed;
}

/** The z intervals of the cells (in z order) that `keep` accepts, adjacent cells merged. */
function cellIntervals(cumulative: readonly number[], keep: (position: number) => boolean): [number, number][] {
  const bounds = categoryZBounds(cumulative);
  const intervals: [number, number][] = [];
  for (let position = 0; position < cumulative.length; position++) {
    if (!keep(position)) continue;
    const low = position === 0 ? Number.NEGATIVE_INFINITY : bounds[position - 1]!;
    const high = bounds[position]!;
    const previous = intervals[intervals.length - 1];
    if (previous !== undefined && previous[1] === low) previous[1] = high;
    else intervals.push([low, high]);
  }
  return intervals;
}

/** The source categories a derived column's terms allow: those whose mapped value meets every term. */
function allowedBySource(model: CopulaModel, columnIndex: number, column: CategoricalColumnModel | NumericColumnModel, terms: ConditionTerm[]): Set<number> {
  const rule = column.derived!;
  const source = model.columns[rule.source];
  if (rule.kind !== "map" || source?.kind !== "categorical")
    throw new ConditionError(`column "${column.name}" is derived from a column that cannot be conditioned on; refit the model.`);
  const all = terms.map((t) => `"${t.text}"`).join(" and ");
  let accepts: (value: number | null) => boolean;
  if (column.kind === "categorical") {
    const allowed = allowedCategories(model, columnIndex, column, terms);
    accepts = (value) => allowed.has(value ?? -1);
  } else {
    const bounds = numericRange(model, columnIndex, column, terms);
    accepts = (value) => value !== null && value >= bounds.low && value <= bounds.high;
  }
  const allowedSource = new Set(source.order.filter((code) => accepts(rule.map[code + 1] ?? null)));
  if (allowedSource.size === 0) throw new ConditionError(`${all}: no value of "${column.name}" in the training data meets them; relax one of them.`);
  return allowedSource;
}

/** Checks the terms against the model and returns the latent constraints; throws ConditionError. */
export function planConditions(model: CopulaModel, terms: readonly ConditionTerm[]): ConditionPlan {
  const plan: ConditionPlan = { dimensions: [], values: [] };
  const byColumn = new Map<number, ConditionTerm[]>();
  for (const term of terms) {
    const index = model.columns.findIndex((c) => c.name === term.column);
    if (index < 0) {
      throw new ConditionError(
        `"${term.text}": there is no column "${term.column}"; the columns are ${listForMessage(
          model.columns.map((c) => c.name),
          40,
        )}.`,
      );
    }
    const column = model.columns[index]!;
    // A copy is conditioned through its source: the same terms, on the column that is sampled.
    const target = column.kind !== "text" && column.derived?.kind === "copy" ? column.derived.source : index;
    byColumn.set(target, [...(byColumn.get(target) ?? []), term]);
  }
  /** Allowed category codes per categorical column that is sampled (its own terms ∩ those of columns derived from it). */
  const allowedByColumn = new Map<number, Set<number>>();
  const restrict = (columnIndex: number, allowed: Set<number>, text: string) => {
    const previous = allowedByColumn.get(columnIndex);
    const next = previous === undefined ? allowed : new Set([...previous].filter((code) => allowed.has(code)));
    if (next.size === 0) throw new ConditionError(`${text} leave no row possible (the columns are tied by a rule of the training data); relax one of them.`);
    allowedByColumn.set(columnIndex, next);
  };
  const quoted = (list: ConditionTerm[]) => list.map((t) => `"${t.text}"`).join(" and ");
  for (const [index, columnTerms] of [...byColumn].sort((a, b) => a[0] - b[0])) {
    const column = model.columns[index]!;
    if (column.kind === "text") {
      throw new ConditionError(
        `"${columnTerms[0]!.text}": column "${column.name}" is an id or personal-data column and is not modelled; condition on numerical, datetime, categorical or boolean columns.`,
      );
    }
    if (column.derived !== undefined) restrict(column.derived.source, allowedBySource(model, index, column, columnTerms), quoted(columnTerms));
    else if (column.kind === "numeric") planNumeric(model, index, column, columnTerms, plan);
    else restrict(index, allowedCategories(model, index, column, columnTerms), quoted(columnTerms));
  }
  // Categorical constraints become z intervals: on the column's own dimension, or on its joint
  // dimension as the cells whose member categories are all allowed.
  const jointAllowed = new Map<number, (position: number) => boolean>();
  for (const [index, allowed] of [...allowedByColumn].sort((a, b) => a[0] - b[0])) {
    const column = model.columns[index] as CategoricalColumnModel;
    if (allowed.size === column.order.length || column.dimension === null) continue;
    const dimension = model.dimensions[column.dimension]!;
    if (dimension.role === "joint") {
      const member = dimension.members!.indexOf(index);
      const previous = jointAllowed.get(column.dimension) ?? (() => true);
      jointAllowed.set(column.dimension, (position) => previous(position) && allowed.has(dimension.cells![position]![member]!));
      continue;
    }
    const positions = new Set(column.order.flatMap((code, position) => (allowed.has(code) ? [position] : [])));
    plan.dimensions.push({ dimension: column.dimension, intervals: cellIntervals(dimension.cumulative ?? [1], (position) => positions.has(position)) });
  }
  for (const [index, keep] of jointAllowed) {
    const intervals = cellIntervals(model.dimensions[index]!.cumulative ?? [1], keep);
    if (intervals.length === 0) {
      const names = model.dimensions[index]!.members!.map((m) => `"${model.columns[m]!.name}"`).join(", ");
      throw new ConditionError(`${quoted(terms.slice())} ask for a combination of ${names} that the training data never shows; relax one of them.`);
    }
    plan.dimensions.push({ dimension: index, intervals });
  }
  plan.dimensions.sort((a, b) => a.dimension - b.dimension);
  return plan;
}
