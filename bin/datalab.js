#!/usr/bin/env node
// Thin launcher: the CLI itself is TypeScript compiled to dist/ by `npm run build` (run by `npm ci`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("datalab: the CLI is not built yet. Run `npm ci` (or `npm run build`) in the datalab folder first.\n");
  process.exit(2);
}
const { runAsProcess } = await import(entry.href);
process.exitCode = await runAsProcess(process.argv.slice(2));
