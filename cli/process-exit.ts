/**
 * How a CLI process ends when it is told to stop rather than when its command returns:
 *   - SIGINT / SIGTERM / SIGHUP: remove every temp file still being written (a half-written output
 *     must not stay behind as a hidden `.out.*.tmp`), say so on stderr, and exit with the shell's
 *     convention 128 + signal number (130, 143, 129);
 *   - stdout closed by its reader (`datalab jobs | head -1`): EPIPE ends the process quietly with
 *     141 (128 + SIGPIPE, what a C tool killed by SIGPIPE reports), no stack trace.
 * Services (coordinator, node, demo) handle the signals themselves: they drain work first.
 * Temp files are removed by tabular's own 'exit' listener (atomic-file.ts), which process.exit
 * runs; this module does not load tabular, so commands that write no files start fast.
 */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export const BROKEN_PIPE_EXIT_CODE = 141;

/** Commands that install their own SIGINT/SIGTERM handling (graceful shutdown). */
const SELF_STOPPING_COMMANDS = new Set(["coordinator", "node", "demo"]);

export function installProcessExitHandlers(command: string | undefined): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(BROKEN_PIPE_EXIT_CODE);
  });
  // Nowhere left to report a failure of stderr itself.
  process.stderr.on("error", () => undefined);
  if (command !== undefined && SELF_STOPPING_COMMANDS.has(command)) return;
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      process.stderr.write(`\ndatalab ${command}: stopped by ${signal}; no partial output is left behind\n`);
      process.exit(code);
    });
  }
}
