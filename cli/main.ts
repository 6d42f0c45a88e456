/**
 * `datalab <command> …` — the only job of this file is to find the command and report its
 * errors the same way everywhere. Each command lives in its own module (`cli/<command>.ts`)
 * exporting `run(argv): Promise<number>` and `usage` (one paragraph, shown by `--help`).
 */
import { CliError, formatCliError } from "./cli-error.js";
import { ParsedOnly, withParseOnly } from "./parse-flags.js";
import { installProcessExitHandlers } from "./process-exit.js";

export interface CommandModule {
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
  /** One-line summary and flag list, printed by `datalab <command> --help`. */
  usage: string;
}

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  synth: { summary: "fit a synthesizer on a table, sample, score (no server)", load: () => import("./synth.js") },
  sample: { summary: "sample rows from a saved model file", load: () => import("./sample.js") },
  export: { summary: "write a CTGAN/TVAE model's generator as ONNX", load: () => import("./export.js") },
  schema: { summary: "print the inferred schema of a table (JSON)", load: () => import("./schema.js") },
  score: { summary: "score a synthetic table against the real one", load: () => import("./score.js") },
  coordinator: { summary: "run the control plane (gRPC + metrics)", load: () => import("./coordinator.js") },
  node: { summary: "run a GPU/CPU worker node agent that dials the coordinator", load: () => import("./node.js") },
  trainer: { summary: "run a holder sidecar: local federated training under a policy and a budget", load: () => import("./trainer.js") },
  submit: { summary: "submit a synthesis job to a coordinator", load: () => import("./submit.js") },
  jobs: { summary: "list your jobs", load: () => import("./jobs.js") },
  get: { summary: "show one job", load: () => import("./get.js") },
  watch: { summary: "follow a job's state and progress", load: () => import("./watch.js") },
  cancel: { summary: "cancel a job", load: () => import("./cancel.js") },
  download: { summary: "download a job's results", load: () => import("./download.js") },
  certs: { summary: "create a local CA and node/client certificates (development)", load: () => import("./certs.js") },
  demo: { summary: "coordinator + two nodes on loopback with TLS, jobs on real tables, scored", load: () => import("./demo.js") },
  health: { summary: "exit 0 when a coordinator's gRPC health service answers SERVING (probes)", load: () => import("./health.js") },
  devices: { summary: "list the compute devices the native kernels can use", load: () => import("./devices.js") },
};

function topUsage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ["usage: datalab <command> [options]", "", "commands:", ...lines, "", "`datalab <command> --help` shows a command's options."].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${topUsage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    const pkg = (await import("../package.json", { with: { type: "json" } })).default;
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    process.stderr.write(`datalab: unknown command "${name}". Run \`datalab --help\` for the list of commands.\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    process.stderr.write(`${formatCliError(name, error)}\n`);
    if (process.env["DATALAB_DEBUG"] && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

/**
 * Checks a command line (`datalab` left out) with the command's own flag parser without running
 * it: resolves to the parsed flags, or rejects with the CliError the command would print. Used by
 * the tests of deploy/ so that no deployment file can keep a flag the CLI no longer has.
 */
export async function checkCommandLine(argv: string[]): Promise<{ command: string; values: ParsedOnly["values"]; positionals: string[] }> {
  const [name, ...rest] = argv;
  const entry = name === undefined ? undefined : commands[name];
  if (name === undefined || entry === undefined) throw new CliError(`unknown command "${name ?? ""}"`);
  const command = await entry.load();
  try {
    await withParseOnly(() => command.run(rest));
  } catch (error) {
    if (error instanceof ParsedOnly) return { command: name, values: error.values, positionals: error.positionals };
    throw error;
  }
  throw new Error(`datalab ${name} ran to the end without parsing its flags with parseFlags`);
}

/** `bin/datalab.js`: `main` as a whole process, with the signal, broken-pipe and exit handling of process-exit.ts. */
export async function runAsProcess(argv: string[]): Promise<number> {
  installProcessExitHandlers(argv[0]);
  return main(argv);
}
