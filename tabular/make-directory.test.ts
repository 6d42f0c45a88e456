import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MakeDirectoryError, makeDirectory } from "./make-directory.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-mkdir-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("makeDirectory", () => {
  test("creates missing parents and accepts an existing folder", () => {
    const deep = join(dir, "a", "b", "c");
    makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeDirectory(deep);
  });
  test("fails at once under /proc, where node's recursive mkdir spins forever", () => {
    const started = performance.now();
    expect(() => makeDirectory("/proc/datalab-test/x")).toThrow(MakeDirectoryError);
    expect(() => makeDirectory("/proc/datalab-test/x")).toThrow(/cannot create the folder \/proc\/datalab-test\/x \(ENOENT/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
  test("a file in the way is named", () => {
    const file = join(dir, "file");
    writeFileSync(file, "");
    expect(() => makeDirectory(join(file, "sub"))).toThrow(/ENOTDIR/);
  });
});
