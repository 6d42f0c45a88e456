/**
 * Sampling from AIM's junction tree: cliques root-first, each clique's new attributes (those not in
 * its separator with the parent) drawn given the separator's cells, from
 * P(new | separator) = P(clique) / P(separator). Cells are allocated by rounding within each
 * separator cell, as MST's sampler does (Private-PGM's "round" method), so the synthetic table
 * matches the model's clique marginals to about a row per cell; compressed cells are then decoded
 * to values with MST's helpers (one original cell by the group's weights, a value within it).
 *
 * Determinism: the same fixed blocks of BLOCK_ROWS as MST, each using Philox uniforms of `seed` at
 * counters derived from (block, clique or attribute, purpose): the rows do not depend on chunking.
 */
import { philoxUniform } from "../../kernels/index.js";
import { parseIdPattern, type Table, type TableSchema } from "../../tabular/index.js";
import { GeneratorError } from "../errors.js";
import { allocate, assembleDecodedTable, BLOCK_ROWS, cumulativeOf, decodeInto, gatherBlockRows, pickCumulative, rowsByCell } from "../mst/mst-sampler.js";
import { type AimModel, aimSizes } from "./aim-model.js";
import { cellCount, intersection, projectionMap } from "./factor.js";

const COUNTER_STRIDE = 1n << 24n;

interface CliqueStep {
  /** Separator attributes and their strides in the separator's cell index. */
  separator: number[];
  separatorStrides: number[];
  separatorCells: number;
  /** New attributes and their sizes (row-major, last fastest). */
  fresh: number[];
  freshSizes: number[];
  freshCells: number;
  /** P(fresh | separator), row-major (separator cell × fresh cell), rows unnormalised. */
  conditional: number[];
}

export class AimSampler {
  readonly schema: TableSchema;
  private readonly model: AimModel;
  private readonly seed: bigint;
  private readonly totalRows: number;
  private readonly sizes: number[];
  private readonly steps: CliqueStep[];
  private readonly groupCumulative: Float64Array[][];
  private cached: { block: number; values: (Float64Array | Int32Array)[] } | null = null;

  constructor(model: AimModel, options: { seed?: bigint | number; totalRows: number }) {
    this.model = model;
    this.schema = model.schema;
    this.seed = BigInt.asUintN(64, BigInt(options.seed ?? 0));
    this.totalRows = options.totalRows;
    for (const column of model.schema.columns) if (column.type === "id") parseIdPattern(column.pattern);
    this.sizes = aimSizes(model);
    this.groupCumulative = model.compression.map((c) => c.groupWeights.map((w) => cumulativeOf(w)));
    const placed = new Set<number>();
    this.steps = model.order.map((c) => {
      const clique = model.cliques[c]!;
      const separator = intersection(clique, [...placed]);
      const fresh = clique.filter((a) => !placed.has(a));
      for (const a of fresh) placed.add(a);
      const cliqueSizes = clique.map((a) => this.sizes[a]!);
      const freshSizes = fresh.map((a) => this.sizes[a]!);
      const separatorSizes = separator.map((a) => this.sizes[a]!);
      const separatorCells = cellCount(separatorSizes);
      const freshCells = cellCount(freshSizes);
      const toSeparator = projectionMap(clique, cliqueSizes, separator);
      const toFresh = projectionMap(clique, cliqueSizes, fresh);
      const conditional = new Array<number>(separatorCells * freshCells).fill(0);
      const potential = model.potentials[c]!;
      for (let x = 0; x < potential.length; x++) conditional[toSeparator[x]! * freshCells + toFresh[x]!]! += potential[x]!;
      // A separator cell the clique gives no mass (the parent's rounding may still reach it): the fresh attributes' marginal.
      const marginal = new Array<number>(freshCells).fill(0);
      for (let x = 0; x < potential.length; x++) marginal[toFresh[x]!]! += potential[x]!;
      for (let s = 0; s < separatorCells; s++) {
        let mass = 0;
        for (let f = 0; f < freshCells; f++) mass += conditional[s * freshCells + f]!;
        if (!(mass > 0)) for (let f = 0; f < freshCells; f++) conditional[s * freshCells + f] = marginal[f]!;
      }
      const separatorStrides = new Array<number>(separator.length);
      let stride = 1;
      for (let k = separator.length - 1; k >= 0; k--) {
        separatorStrides[k] = stride;
        stride *= separatorSizes[k]!;
      }
      return { separator, separatorStrides, separatorCells, fresh, freshSizes, freshCells, conditional };
    });
    if (placed.size !== this.sizes.length) throw new GeneratorError("the AIM model leaves an attribute out of every clique; refit the model.");
  }

  /** Rows startRow … startRow + rows − 1 of the synthetic table (within totalRows). */
  async sampleChunk(startRow: number, rows: number): Promise<Table> {
    if (!Number.isSafeInteger(startRow) || startRow < 0 || !Number.isSafeInteger(rows) || rows < 0 || startRow + rows > Math.max(this.totalRows, startRow)) {
      throw new GeneratorError(
        `cannot sample rows ${startRow}…${startRow + rows} of ${this.totalRows}; give whole, non-negative row numbers within the total.`,
      );
    }
    const values = gatherBlockRows(this.model.attributes, startRow, rows, (b) => this.block(b));
    return await Promise.resolve(assembleDecodedTable(this.schema, this.model.attributes, values, startRow, rows, this.seed));
  }

  private uniforms(block: number, unit: number, purpose: number, length: number): Float64Array {
    const out = new Float64Array(length);
    const units = BigInt(this.steps.length + this.sizes.length);
    const stream = (BigInt(block) * units + BigInt(unit)) * 4n + BigInt(purpose);
    if (length > 0) philoxUniform(this.seed, stream * COUNTER_STRIDE, out);
    return out;
  }

  private block(b: number): (Float64Array | Int32Array)[] {
    if (this.cached?.block === b) return this.cached.values;
    const m = Math.min(BLOCK_ROWS, this.totalRows - b * BLOCK_ROWS);
    const cells = this.sizes.map(() => new Int32Array(m));
    this.steps.forEach((step, s) => {
      const separatorCell = new Int32Array(m);
      step.separator.forEach((a, k) => {
        const stride = step.separatorStrides[k]!;
        const codes = cells[a]!;
        for (let r = 0; r < m; r++) separatorCell[r]! += codes[r]! * stride;
      });
      const remainderUniforms = this.uniforms(b, s, 0, step.separatorCells * step.freshCells);
      const shuffle = this.uniforms(b, s, 1, m);
      const fresh = new Int32Array(m);
      const groups = rowsByCell(separatorCell, step.separatorCells);
      const groupStart = new Int32Array(groups.length);
      for (let a = 1; a < groups.length; a++) groupStart[a] = groupStart[a - 1]! + groups[a - 1]!.length;
      groups.forEach((rowsOfGroup, a) => {
        if (rowsOfGroup.length === 0) return;
        // Fisher–Yates with a fresh uniform per position (group a's rows use the uniforms at its first row's offset on).
        const base = groupStart[a]!;
        for (let k = rowsOfGroup.length - 1; k > 0; k--) {
          const j = Math.floor(shuffle[base + k]! * (k + 1));
          [rowsOfGroup[k], rowsOfGroup[j]] = [rowsOfGroup[j]!, rowsOfGroup[k]!];
        }
        const offset = a * step.freshCells;
        const counts = allocate(rowsOfGroup.length, step.conditional, offset, step.freshCells, remainderUniforms, offset);
        let k = 0;
        for (let f = 0; f < step.freshCells; f++) for (let n = 0; n < counts[f]!; n++) fresh[rowsOfGroup[k++]!] = f;
      });
      // Fresh cell index → each fresh attribute's cell (row-major, last fastest).
      for (let r = 0; r < m; r++) {
        let rest = fresh[r]!;
        for (let k = step.fresh.length - 1; k >= 0; k--) {
          const size = step.freshSizes[k]!;
          cells[step.fresh[k]!]![r] = rest % size;
          rest = Math.floor(rest / size);
        }
      }
    });
    const values = this.model.attributes.map((attribute, i) => {
      const memberUniforms = this.uniforms(b, this.steps.length + i, 2, m);
      const valueUniforms = this.uniforms(b, this.steps.length + i, 3, m);
      const out = attribute.kind === "numeric" ? new Float64Array(m) : new Int32Array(m);
      const compression = this.model.compression[i]!;
      for (let r = 0; r < m; r++) {
        const cell = cells[i]![r]!;
        const group = compression.groups[cell]!;
        const member = group.length === 1 ? 0 : pickCumulative(this.groupCumulative[i]![cell]!, memberUniforms[r]!);
        decodeInto(attribute, group[member]!, valueUniforms[r]!, out, r);
      }
      return out;
    });
    this.cached = { block: b, values };
    return values;
  }
}

/** Samples `rows` rows into one in-memory table. */
export async function sampleAimTable(model: AimModel, rows: number, options: { seed?: bigint | number } = {}): Promise<Table> {
  const sampler = new AimSampler(model, { ...options, totalRows: rows });
  return await sampler.sampleChunk(0, rows);
}
