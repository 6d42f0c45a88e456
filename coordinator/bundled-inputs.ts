/**
 * Inputs every node has without an upload: vega-datasets files ("vega:penguins.json") and the
 * Adult census fixtures ("fixture:adult", "fixture:adult_test"). The coordinator checks the name
 * resolves in its own install so a typo fails at submit, not on a node minutes later.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES: Record<string, string> = {
  adult: "fixtures/adult/adult.csv",
  adult_test: "fixtures/adult/adult_test.csv",
};

let root: string | undefined;

/**
 * The datalab package folder (package.json named "datalab" next to node_modules/), from source
 * or dist/ (the build copies package.json into dist/, so the name alone is not enough).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && existsSync(join(dir, "node_modules")) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "datalab")
      return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the datalab package folder above the coordinator module");
    dir = parent;
  }
}

/** The local path of a bundled input, or a one-line problem. */
export function resolveBundledInput(uri: string): { path: string } | { problem: string } {
  const match = /^(vega|fixture):([A-Za-z0-9._-]+)$/.exec(uri);
  if (match === null) {
    return { problem: `bundled_uri "${uri}" must look like "vega:<file>" (e.g. vega:penguins.json) or "fixture:adult"` };
  }
  const [, scheme, name] = match as unknown as [string, string, string];
  if (scheme === "fixture") {
    const relative = FIXTURES[name];
    if (relative === undefined) return { problem: `unknown fixture "${name}"; use one of ${Object.keys(FIXTURES).join(", ")}` };
    const path = join(packageRoot(), relative);
    return existsSync(path) ? { path } : { problem: `fixture "${name}" is not installed at ${path}` };
  }
  if (name.startsWith(".")) return { problem: `vega file name "${name}" must not start with "."` };
  const path = join(packageRoot(), "node_modules", "vega-datasets", "data", name);
  return existsSync(path)
    ? { path }
    : { problem: `vega-datasets has no file "${name}" (see node_modules/vega-datasets/data/, e.g. penguins.json, cars.json, seattle-weather.csv)` };
}
