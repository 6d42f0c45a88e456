/**
 * id and personal-data columns of sampled tables come from tabular's one implementation
 * (makeIds / fakePiiValues): the schema's pattern and shape are kept, ids are unique across
 * chunks, and the output file is byte-identical for a seed whatever the chunk size.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { fakePiiValues, makeIds, type Table, type TableSchema } from "../tabular/index.js";
import { CopulaSampler, sampleTable } from "./copula-sampler.js";
import { fitGaussianCopula } from "./fit-copula.js";
import { sampleToFile } from "./sample-to-file.js";

const dir = await mkdtemp(join(tmpdir(), "datalab-text-columns-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const schema: TableSchema = {
  version: 1,
  columns: [
    { name: "x", type: "numerical", subtype: "float", decimals: 2, min: 0, max: 100 },
    { name: "uid", type: "id", pattern: "uuid" },
    { name: "ticket", type: "id", pattern: "T-{alnum:4}" },
    { name: "email", type: "pii", kind: "email", action: "fake" },
    { name: "phone", type: "pii", kind: "phone", action: "fake", shape: "(0##) ### ## ##" },
  ],
};

function realTable(rows: number): Table {
  const c = schema.columns;
  return {
    rowCount: rows,
    columns: [
      { schema: c[0] as never, values: Float64Array.from({ length: rows }, (_, i) => ((i * 7919) % 10_000) / 100) },
      { schema: c[1] as never, values: Array.from({ length: rows }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`) },
      { schema: c[2] as never, values: Array.from({ length: rows }, (_, i) => `T-${i.toString(36).padStart(4, "0")}`) },
      { schema: c[3] as never, values: Array.from({ length: rows }, (_, i) => `real.person${i}@real.org`) },
      { schema: c[4] as never, values: Array.from({ length: rows }, (_, i) => `(030) 555 ${String(i % 100).padStart(2, "0")} 00`) },
    ],
  };
}

const model = fitGaussianCopula(realTable(300));
const strings = (table: Table, name: string) => (table.columns.find((c) => c.schema.name === name) as { values: (string | null)[] }).values;

describe("id and pii columns of sampled rows", () => {
  test("uuid, {alnum:N}, email and shaped phone columns follow the schema and are unique", async () => {
    const rows = 5000;
    const synthetic = await sampleTable(model, rows, { seed: 42n });
    const uids = strings(synthetic, "uid");
    // UUID v4 shape: version nibble 4, variant 8–b.
    expect(uids.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u ?? ""))).toBe(true);
    expect(new Set(uids).size).toBe(rows);
    const tickets = strings(synthetic, "ticket");
    expect(tickets.every((t) => /^T-[0-9a-z]{4}$/.test(t ?? ""))).toBe(true);
    expect(new Set(tickets).size).toBe(rows);
    const emails = strings(synthetic, "email");
    expect(emails.every((e) => /^[a-z]+\.[a-z]+\d+@example\.(com|org|net)$/.test(e ?? ""))).toBe(true);
    expect(emails.some((e) => e?.includes("real"))).toBe(false);
    const phones = strings(synthetic, "phone");
    expect(phones.every((p) => /^\(0\d\d\) \d{3} \d\d \d\d$/.test(p ?? ""))).toBe(true);
    // Pseudo-random digits, not one constant number: with 9 free digits 5000 draws are nearly all distinct.
    expect(new Set(phones).size).toBeGreaterThan(rows * 0.99);
  });

  test("the values are exactly tabular's makeIds / fakePiiValues for (seed, global row)", async () => {
    const seed = 7n;
    const sampler = new CopulaSampler(model, { seed });
    const chunk = await sampler.sampleChunk(1234, 100);
    const c = schema.columns;
    expect(strings(chunk, "uid")).toEqual(makeIds(c[1] as never, 1234, 100, seed));
    expect(strings(chunk, "ticket")).toEqual(makeIds(c[2] as never, 1234, 100, seed));
    expect(strings(chunk, "email")).toEqual(fakePiiValues(c[3] as never, 1234, 100, seed));
    expect(strings(chunk, "phone")).toEqual(fakePiiValues(c[4] as never, 1234, 100, seed));
  });

  test("ids stay unique across chunks and the file is byte-identical for a seed whatever the chunk size", async () => {
    const rows = 3000;
    const digests: string[] = [];
    for (const [i, chunkRows] of [700, 3000, 1024].entries()) {
      const path = join(dir, `out-${i}.csv`);
      await sampleToFile(model, path, rows, { seed: 99n, chunkRows });
      digests.push(
        createHash("sha256")
          .update(await readFile(path))
          .digest("hex"),
      );
      if (i === 0) {
        const lines = (await readFile(path, "utf8")).trim().split("\n").slice(1);
        expect(lines).toHaveLength(rows);
        const header = (await readFile(path, "utf8")).split("\n")[0]!.split(",");
        const uidAt = header.indexOf("uid");
        const ticketAt = header.indexOf("ticket");
        expect(new Set(lines.map((l) => l.split(",")[uidAt])).size).toBe(rows);
        expect(new Set(lines.map((l) => l.split(",")[ticketAt])).size).toBe(rows);
      }
    }
    expect(new Set(digests).size).toBe(1);
    // Another seed gives other ids.
    const other = await sampleTable(model, 10, { seed: 100n });
    const same = await sampleTable(model, 10, { seed: 99n });
    expect(strings(other, "uid")).not.toEqual(strings(same, "uid"));
  });
});
