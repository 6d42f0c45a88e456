import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureOutput } from "./capture-output.js";
import { main } from "./main.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "datalab-cli-schema-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `datalab …` in-process and captures what it prints. */
const datalab = (...argv: string[]) => captureOutput(() => main(argv));

describe("datalab schema", () => {
  it("prints the inferred schema as JSON and warnings on stderr", async () => {
    const path = join(dir, "people.csv");
    await writeFile(path, "email,age\na@b.org,30\nc@d.net,41\n");
    const { code, stdout, stderr } = await datalab("schema", path);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      version: 1,
      columns: [
        { name: "email", type: "pii", kind: "email", action: "fake" },
        { name: "age", type: "numerical", subtype: "integer", decimals: 0, min: 30, max: 41 },
      ],
    });
    expect(stderr).toMatch(/^warning: column "email" looks like email addresses/);
  });

  it("--out writes a file that --schema reads back", async () => {
    const out = join(dir, "seattle.schema.json");
    const written = await datalab("schema", "node_modules/vega-datasets/data/seattle-weather.csv", "--out", out);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe("");
    const again = await datalab("schema", "node_modules/vega-datasets/data/seattle-weather.csv", "--schema", out);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(await readFile(out, "utf8")));
  });

  it("bad input: one line, exit code not 0", async () => {
    const missing = await datalab("schema", join(dir, "nope.csv"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^datalab schema: file not found: .*nope\.csv; check the path\.\n$/);
    const usage = await datalab("schema");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/expected one input table, got nothing/);
  });
});
