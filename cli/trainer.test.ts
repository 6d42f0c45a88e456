/**
 * `datalab trainer` refuses bad settings at start-up with a message naming the flag and the fix
 * (the running sidecar is exercised by service-tests/federation-training.test.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./trainer.js";

const dir = mkdtempSync(join(tmpdir(), "trainer-cli-"));
const base = ["--coordinator", "127.0.0.1:7443", "--data", "fixtures/adult/adult.csv", "--dataset-id", "adult", "--schema", join(dir, "schema.json")];
const rest = ["--work-dir", join(dir, "work"), "--insecure"];

describe("datalab trainer flags", () => {
  it("names the missing or wrong flag", async () => {
    await expect(run([...base, ...rest])).rejects.toThrow(/--policy is required/);
    await expect(run([...base, "--policy", "p.json", "--work-dir", "w"])).rejects.toThrow(/--tls-dir is required \(or --insecure/);
    await expect(run([...base, "--policy", "p.json", "--work-dir", "w", "--insecure", "--tls-dir", "t"])).rejects.toThrow(
      /give --tls-dir or --insecure, not both/,
    );
    await expect(run(["--coordinator", "10.0.0.5:7443", ...base.slice(2), "--policy", "p.json", "--work-dir", "w", "--insecure"])).rejects.toThrow(
      /--insecure is refused for 10.0.0.5:7443/,
    );
    await expect(run([...base.slice(0, 4), "--dataset-id", "a b", ...base.slice(6), "--policy", "p.json", ...rest])).rejects.toThrow(
      /--dataset-id "a b" must be 1–128 characters/,
    );
    await expect(run([...base, "--policy", join(dir, "missing.json"), ...rest])).rejects.toThrow(/--policy .*missing.json cannot be read \(ENOENT\)/);
    writeFileSync(join(dir, "bad-policy.json"), JSON.stringify({ version: 1, allowedJobKinds: ["federated_training"] }));
    await expect(run([...base, "--policy", join(dir, "bad-policy.json"), ...rest])).rejects.toThrow(/"allowedPurposes" is missing/);
  });
});
