import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { JobServiceClient } from "../proto/index.js";
import { CliError } from "./cli-error.js";
import { downloadResults } from "./download.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-download-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A client whose GetJob answers a succeeded job with these result files; DownloadResult must not be reached. */
function fakeClient(names: string[]): JobServiceClient {
  const job = {
    jobId: "job-1",
    state: "JOB_STATE_SUCCEEDED",
    results: names.map((name, i) => ({ kind: i === 0 ? "RESULT_KIND_TABLE" : "RESULT_KIND_REPORT", file: { name } })),
  };
  return {
    getJob: (_request: unknown, _metadata: unknown, _options: unknown, callback: (error: null, response: unknown) => void) => callback(null, { job }),
    downloadResult: () => {
      throw new Error("DownloadResult reached: the clash was not refused first");
    },
  } as unknown as JobServiceClient;
}

describe("download --out", () => {
  test("a result file that would replace the --ca certificate is refused before any byte is fetched", async () => {
    const ca = join(dir, "ca.crt");
    writeFileSync(ca, "CERT");
    const error = await downloadResults(fakeClient(["ca.crt"]), "job-1", dir, "all", [["--ca", ca]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/--out \(table\) .*ca\.crt is the --ca file; writing it would destroy the input/);
    expect(readFileSync(ca, "utf8")).toBe("CERT");
  });
  test("two results with the same file name are refused (one would overwrite the other)", async () => {
    const error = await downloadResults(fakeClient(["out.csv", "sub/out.csv"]), "job-1", join(dir, "results"), "all").catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/--out \(report\) and --out \(table\) both name/);
  });
});
