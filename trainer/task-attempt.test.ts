import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTaskDir } from "./task-attempt.js";

const root = await mkdtemp(join(tmpdir(), "task-dirs-"));
afterAll(() => rm(root, { recursive: true, force: true }));

async function taskDir(name: string, files: string[]): Promise<{ dir: string; paths: string[] }> {
  const dir = join(root, name);
  await mkdir(dir);
  const paths = files.map((file) => join(dir, file));
  for (const path of paths) await writeFile(path, "x");
  return { dir, paths };
}

describe("removeTaskDir", () => {
  it("removes an empty folder, one holding the known files, and one holding more", async () => {
    const empty = await taskDir("empty", []);
    const known = await taskDir("known", ["synthetic.csv", "model.json"]);
    const extra = await taskDir("extra", ["synthetic.csv", "schema.json"]);
    await removeTaskDir(empty.dir, [join(empty.dir, "synthetic.csv")]);
    await removeTaskDir(known.dir, known.paths);
    await removeTaskDir(extra.dir, [extra.paths[0]!]);
    for (const dir of [empty.dir, known.dir, extra.dir]) expect(existsSync(dir), dir).toBe(false);
  });

  it("leaves files outside the folder alone and accepts a folder that is already gone", async () => {
    const outside = join(root, "outside.csv");
    await writeFile(outside, "keep");
    const { dir, paths } = await taskDir("gone", ["synthetic.csv"]);
    await removeTaskDir(dir, [outside, ...paths]);
    await removeTaskDir(dir, [outside, ...paths]);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
