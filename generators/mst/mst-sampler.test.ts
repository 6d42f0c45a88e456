import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { loadTable } from "../../tabular/index.js";
import { fitChowLiu } from "./fit-mst.js";
import { sampleMstTable } from "./mst-sampler.js";

/** Pearson's χ² statistic of the contingency table of two code columns. */
function chiSquare(a: Int32Array, sizeA: number, b: Int32Array, sizeB: number): number {
  const counts = new Float64Array(sizeA * sizeB);
  const rowsA = new Float64Array(sizeA);
  const rowsB = new Float64Array(sizeB);
  for (let r = 0; r < a.length; r++) {
    counts[a[r]! * sizeB + b[r]!]! += 1;
    rowsA[a[r]!]! += 1;
    rowsB[b[r]!]! += 1;
  }
  let statistic = 0;
  for (let i = 0; i < sizeA; i++)
    for (let j = 0; j < sizeB; j++) {
      const expected = (rowsA[i]! * rowsB[j]!) / a.length;
      statistic += (counts[i * sizeB + j]! - expected) ** 2 / expected;
    }
  return statistic;
}

test("children of one parent cell are drawn independently (the per-group shuffle is uniform)", async () => {
  // `hub` depends strongly on nothing; `left` and `right` each depend on `hub` only weakly, so the tree
  // is a star and left ⟂ right | hub. A biased shuffle (a row's uniform reused after it is swapped) ties
  // each child's cell to the row's position, which both children share: left and right become dependent.
  const rows = 20_000;
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const lines = ["hub,left,right"];
  for (let r = 0; r < rows; r++) {
    const hub = Math.floor(next() * 2);
    const child = () => (next() < 0.6 ? hub * 3 + Math.floor(next() * 3) : Math.floor(next() * 6));
    lines.push(`h${hub},l${child()},r${child()}`);
  }
  const path = join(mkdtempSync(join(tmpdir(), "mst-sampler-")), "star.csv");
  writeFileSync(path, `${lines.join("\n")}\n`);
  const { table, schema } = await loadTable(path);
  const model = fitChowLiu(table, schema);
  const synthetic = await sampleMstTable(model, rows, { seed: 5 });
  const [hub, left, right] = synthetic.columns as { codes: Int32Array; categories: string[] }[];
  // Condition on hub: χ² of left × right within each hub cell, 25 degrees of freedom each. Under independence
  // the sum over both cells is χ²(50): mean 50, 99.9th percentile ≈ 86.7.
  let statistic = 0;
  for (let h = 0; h < hub!.categories.length; h++) {
    const keep = Array.from({ length: rows }, (_, r) => r).filter((r) => hub!.codes[r] === h);
    statistic += chiSquare(
      Int32Array.from(keep, (r) => left!.codes[r]!),
      left!.categories.length,
      Int32Array.from(keep, (r) => right!.codes[r]!),
      right!.categories.length,
    );
  }
  expect(statistic).toBeLessThan(86.7);
});
