import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SchemaError } from "./errors.js";
import { loadTable } from "./load-table.js";
import { readSchemaFile, validateSchema, writeSchemaFile } from "./schema-file.js";
import type { CategoricalColumn, NumericalColumn, TextColumn } from "./table.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-schema-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function schemaError(document: unknown): string {
  try {
    validateSchema(document, "s.json");
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error("schema was accepted");
}

describe("schema files", () => {
  it("an inferred schema written and read back is the same", async () => {
    const { schema } = await loadTable("fixtures/adult/adult.csv");
    const path = join(dir, "adult.schema.json");
    await writeSchemaFile(path, schema);
    expect(await readSchemaFile(path)).toEqual(schema);
    expect(await readdir(dir)).toEqual(["adult.schema.json"]);
  });

  it("rejects bad files with one line naming the problem and the fix", async () => {
    await expect(readSchemaFile(join(dir, "missing.json"))).rejects.toThrow(
      /schema file .*missing\.json not found; check the path, or create one with `datalab schema/,
    );
    const broken = join(dir, "broken.json");
    await writeFile(broken, '{"version": 1, "columns": [');
    await expect(readSchemaFile(broken)).rejects.toThrow(/is not valid JSON .*; fix the syntax/);
    expect(schemaError([])).toMatch(/expected a JSON object with "version" and "columns"/);
    expect(schemaError({ version: 2, columns: [] })).toMatch(/"version" is 2 but this datalab reads version 1; regenerate it/);
    expect(schemaError({ version: 1, columns: {} })).toMatch(/"columns" must be an array/);
    expect(schemaError({ version: 1, columns: [], extra: 1 })).toMatch(/unknown field "extra" at the top level/);
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "number" }] })).toMatch(
      /column 1 \("a"\): unknown type "number"; use one of numerical, categorical/,
    );
    expect(schemaError({ version: 1, columns: [{ type: "categorical" }] })).toMatch(/"name" must be a non-empty string/);
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "datetime", fromat: "%Y" }] })).toMatch(/unknown field "fromat" for type datetime/);
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "datetime", format: "YYYY-MM-DD" }] })).toMatch(/has no strftime directive/);
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "datetime", format: "%Y-%q-%d" }] })).toMatch(
      /column 1 \("a"\): "format" "%Y-%q-%d" has the unknown directive %q; datalab reads %Y %y %m %d/,
    );
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "datetime", format: "%Y-%m-%d %" }] })).toMatch(/unknown directive %;/);
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "datetime", format: "%a %d %b %Y" }] })).toMatch(/unknown directive %a;/);
    expect(() => validateSchema({ version: 1, columns: [{ name: "a", type: "datetime", format: "%d%% %T %I%p %j %z %B %y %f" }] }, "s.json")).not.toThrow();
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "numerical", min: 5, max: 1 }] })).toMatch(/"min" \(5\) is greater than "max" \(1\)/);
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "pii", kind: "ssn" }] })).toMatch(/"kind" is "ssn"; use one of email, phone, name, text/);
    expect(schemaError({ version: 1, columns: [{ name: "a", type: "id", pattern: "{emoji:3}" }] })).toMatch(/bad placeholder \{emoji:3\}/);
    expect(
      schemaError({
        version: 1,
        columns: [
          { name: "a", type: "categorical" },
          { name: "a", type: "categorical" },
        ],
      }),
    ).toMatch(/column "a" appears twice/);
  });

  it("fills optional fields with defaults", () => {
    const schema = validateSchema({
      version: 1,
      columns: [
        { name: "n", type: "numerical" },
        { name: "b", type: "boolean" },
        { name: "p", type: "pii", kind: "email" },
      ],
    });
    expect(schema.columns).toEqual([
      { name: "n", type: "numerical", subtype: "float", decimals: 6, min: null, max: null },
      { name: "b", type: "boolean", trueLabel: "true", falseLabel: "false" },
      { name: "p", type: "pii", kind: "email", action: "fake" },
    ]);
  });
});

describe("loadTable with a user's schema", () => {
  it("overrides inference; columns it does not name are inferred with a warning", async () => {
    const path = join(dir, "people.csv");
    await writeFile(path, "zip,score,when,member\n02134,1.5,03/04/2024,1\n10001,2,04/05/2024,0\n");
    const edited = validateSchema({
      version: 1,
      columns: [
        { name: "zip", type: "numerical", subtype: "integer" },
        { name: "when", type: "datetime", format: "%d/%m/%Y" },
        { name: "member", type: "boolean", trueLabel: "1", falseLabel: "0" },
      ],
    });
    const { table, schema, warnings } = await loadTable(path, { schema: edited });
    expect(warnings).toEqual(['column "score" is not in the schema; inferred as numerical.']);
    expect(Array.from((table.columns[0] as NumericalColumn).values)).toEqual([2134, 10001]);
    expect(schema.columns[0]).toMatchObject({ min: 2134, max: 10001 });
    expect(Array.from((table.columns[2] as NumericalColumn).values)).toEqual([Date.UTC(2024, 3, 3), Date.UTC(2024, 4, 4)]);
    expect(Array.from((table.columns[3] as CategoricalColumn).codes)).toEqual([1, 0]);
  });

  it("a schema column missing from the file is an error naming it", async () => {
    const path = join(dir, "small.csv");
    await writeFile(path, "a\n1\n");
    const edited = validateSchema({ version: 1, columns: [{ name: "b", type: "categorical" }] });
    await expect(loadTable(path, { schema: edited })).rejects.toThrow(
      /schema column "b" is not in .*small\.csv \(its columns: "a"\); remove it from the schema or fix its name/,
    );
  });

  it("values that do not fit the given type are missing, with one warning per column", async () => {
    const path = join(dir, "bad-values.csv");
    await writeFile(path, "n,d,e\n1,2024-01-01,x@y.org\nlots,soon,\n");
    const edited = validateSchema({
      version: 1,
      columns: [
        { name: "n", type: "numerical" },
        { name: "d", type: "datetime", format: "%Y-%m-%d" },
        { name: "e", type: "pii", kind: "email" },
      ],
    });
    const { table, warnings } = await loadTable(path, { schema: edited });
    expect(warnings).toEqual([
      'column "n": 1 value(s) are not numbers (e.g. "lots") and are read as missing; fix them or change the column\'s type in the schema.',
      'column "d": 1 value(s) are not datetimes in the format "%Y-%m-%d" (e.g. "soon") and are read as missing; fix them or change the column\'s type in the schema.',
    ]);
    expect((table.columns[2] as TextColumn).values).toEqual(["x@y.org", null]);
  });
});
