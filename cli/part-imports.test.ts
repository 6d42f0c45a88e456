/**
 * The architecture of DESIGN.md, checked on every source file: a part imports only the parts it
 * may, and only through their `index.ts` (their public surface), never their internals. Tests,
 * test helpers (`testing/` folders), the performance benchmarks and the GPU check may reach
 * further; shipped code may not.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

/** Which parts each part may import (DESIGN.md, "Parts"); cli only parses arguments and may call any part. */
const allowed: Record<string, readonly string[]> = {
  proto: [],
  kernels: [],
  tabular: ["kernels"],
  privacy: ["kernels"],
  nn: ["kernels", "privacy"],
  generators: ["tabular", "privacy", "nn", "kernels"],
  benchmarks: ["tabular", "kernels"],
  coordinator: ["proto", "generators", "privacy", "nn", "tabular", "benchmarks", "kernels"],
  trainer: ["proto", "generators", "privacy", "nn", "tabular", "benchmarks", "kernels"],
  cli: ["proto", "generators", "privacy", "nn", "tabular", "benchmarks", "kernels", "coordinator", "trainer"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "generated" || name === "fixtures" ? [] : sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Shipped code: not tests, test helpers, benchmarks' perf suites or the GPU check tool. */
function isShipped(file: string): boolean {
  const path = relative(root, file).split(sep);
  return !(
    file.endsWith(".test.ts") ||
    path.includes("testing") ||
    // The privacy audit attacks the synthesizers built on privacy/, so it sits above them.
    (path[0] === "privacy" && path[1] === "audit") ||
    (path[0] === "benchmarks" && path[1] === "perf") ||
    (path[0] === "kernels" && path[1] === "gpu-check") ||
    file.endsWith(".bench.ts") ||
    file.endsWith("gpu-step-check.ts")
  );
}

function violations(): string[] {
  const found: string[] = [];
  for (const part of Object.keys(allowed)) {
    let files: string[];
    try {
      files = sourceFiles(join(root, part));
    } catch {
      continue; // a part not written yet
    }
    for (const file of files.filter(isShipped)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
        const target = relative(root, resolve(dirname(file), match[1]!)).split(sep);
        const targetPart = target[0]!;
        if (targetPart === part || !(targetPart in allowed)) continue;
        const where = `${relative(root, file)} imports ${match[1]}`;
        if (!allowed[part]!.includes(targetPart)) found.push(`${where}: ${part}/ may not import ${targetPart}/ (DESIGN.md)`);
        else if (!(target.length === 2 && target[1] === "index.js")) found.push(`${where}: go through ${targetPart}/index.ts`);
      }
    }
  }
  return found;
}

describe("part boundaries", () => {
  it("every part imports only what DESIGN.md allows, and only through index.ts", () => {
    expect(violations()).toEqual([]);
  });
});
