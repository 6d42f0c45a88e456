/**
 * Bundled inputs: tables every datalab installation carries, named by URI in InputRef.bundled_uri
 * so a job can reference them without an upload. "vega:<file>" is a vega-datasets file,
 * "fixture:adult" / "fixture:adult_test" the Adult census tables in fixtures/adult/.
 * The node resolves them against its own installation; nothing outside those folders can be
 * reached (no "..", no absolute paths), so a job cannot read arbitrary files on a node.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export class BundledInputError extends Error {
  override readonly name = "BundledInputError";
}

/** The datalab installation root: the nearest folder above this module with fixtures/ and package.json. */
export function installationRoot(from: string = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "fixtures"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new BundledInputError(`cannot find the datalab installation above ${from}; run the node from a datalab checkout or install.`);
    dir = parent;
  }
}

const fixtures: Record<string, string> = {
  adult: "fixtures/adult/adult.csv",
  adult_test: "fixtures/adult/adult_test.csv",
};

/** A safe file name inside vega-datasets' data folder. */
const vegaFile = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(csv|tsv|json|parquet|arrow)$/;

/** Absolute path of a bundled input; throws BundledInputError naming the valid forms. */
export function resolveBundledUri(uri: string, root: string = installationRoot()): string {
  const colon = uri.indexOf(":");
  const scheme = colon < 0 ? "" : uri.slice(0, colon);
  const name = colon < 0 ? uri : uri.slice(colon + 1);
  let relative: string | undefined;
  if (scheme === "vega" && vegaFile.test(name)) relative = join("node_modules", "vega-datasets", "data", name);
  if (scheme === "fixture") relative = fixtures[name];
  if (relative === undefined) {
    throw new BundledInputError(
      `bundled input "${uri}" is not valid: use vega:<file> (e.g. vega:penguins.json) or fixture:${Object.keys(fixtures).join(" / fixture:")}.`,
    );
  }
  const path = join(root, relative);
  if (!existsSync(path)) throw new BundledInputError(`bundled input "${uri}" does not exist on this node (${path}); check the file name.`);
  return path;
}
