/**
 * The real operators' tools the deployment tests run (Debian packages `prometheus`,
 * `slurm-wlm`, `munge`). A missing tool fails the test with how to install it: these tests
 * are never skipped, because a deployment file nobody ran is a promise nobody checked.
 */
import { execFileSync } from "node:child_process";

export class MissingToolError extends Error {
  override readonly name = "MissingToolError";
}

/** The absolute path of `tool`, or a MissingToolError naming the Debian package that brings it. */
export function requireTool(tool: string, debianPackage: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
  } catch (error) {
    throw new MissingToolError(`${tool} is not installed; install it with \`apt-get install -y ${debianPackage}\` (.ci/run does this).`, { cause: error });
  }
}
