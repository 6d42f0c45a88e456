/**
 * Memory of a scored synthesis job (issue 10, item 8): `datalab synth` on Adult with 1M output
 * rows used to hold the whole synthetic table for scoring (662 MB of it). Now scoring regenerates
 * at most `scoreMaxRows` (default 100,000) rows, so the job's peak memory does not grow with the
 * output. Measured in a child process (max RSS) for 100k and 1M output rows; target: the 1M job
 * peaks within 1.25× the 100k one, and under 1 GiB. Also records the summary's sampling sentence.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const name = "synthesis-scoring";

const GIB = 1024 ** 3;

function scoredJobPeak(outPath: string, rows: number): { maxRssBytes: number; seconds: number; sampling: string; exact: boolean } | { error: string } {
  const trainer = new URL("../../trainer/index.js", import.meta.url).href;
  const input = join(process.cwd(), "fixtures/adult/adult.csv");
  const script = [
    `const t = await import(${JSON.stringify(trainer)});`,
    "const started = performance.now();",
    `const summary = await t.runSynthesisJob({ inputPath: ${JSON.stringify(input)}, outputPath: ${JSON.stringify(outPath)}, rows: ${rows}, seed: 1n });`,
    "process.stdout.write(JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024,",
    "  sampling: summary.quality.sampling, exact: summary.quality.exact }));",
  ].join("\n");
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (child.status !== 0) return { error: child.stderr.split("\n").find((line) => line.trim() !== "") ?? "failed" };
  return JSON.parse(child.stdout) as { maxRssBytes: number; seconds: number; sampling: string; exact: boolean };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "datalab-synthesis-scoring-"));
  try {
    const small = scoredJobPeak(join(dir, "adult-100k.csv"), 100_000);
    const large = scoredJobPeak(join(dir, "adult-1m.csv"), 1_000_000);
    const pass = "maxRssBytes" in small && "maxRssBytes" in large ? large.maxRssBytes <= 1.25 * small.maxRssBytes && large.maxRssBytes < GIB : false;
    return { adult100k: small, adult1m: large, maxRssTargetBytes: GIB, maxRssRatioTarget: 1.25, pass };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
