/**
 * writeFileAtomic: the target holds the old bytes or the whole new ones, never a half file, and no
 * temp file is left behind, durable or not; a failed write leaves the old file as it was.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { syncDirectory, writeFileAtomic } from "./atomic-file.js";

describe("writeFileAtomic", () => {
  for (const durable of [false, true]) {
    test(`${durable ? "durable" : "plain"}: replaces the target whole and leaves no temp file`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "atomic-file-"));
      const path = join(dir, "out.bin");
      writeFileSync(path, "old");
      const bytes = new Uint8Array(1 << 20).map((_, i) => i % 251);
      await writeFileAtomic(path, bytes, { durable });
      expect(Buffer.compare(readFileSync(path), Buffer.from(bytes))).toBe(0);
      expect(readdirSync(dir)).toEqual(["out.bin"]);
    });

    test(`${durable ? "durable" : "plain"}: a write that cannot land removes its temp file and throws`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "atomic-file-"));
      // A directory at the target: the rename fails after the data was written.
      mkdirSync(join(dir, "target"));
      writeFileSync(join(dir, "target", "keep.txt"), "kept");
      await expect(writeFileAtomic(join(dir, "target"), "new bytes", { durable })).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
      expect(readdirSync(dir)).toEqual(["target"]);
      expect(readFileSync(join(dir, "target", "keep.txt"), "utf8")).toBe("kept");
    });
  }

  test("syncDirectory refuses a path that does not exist", async () => {
    await expect(syncDirectory(join(tmpdir(), "no-such-directory-for-atomic-file-test"))).rejects.toThrow(/ENOENT/);
  });
});
