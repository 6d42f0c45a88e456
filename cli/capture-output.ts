/**
 * Runs a command in-process with stdout and stderr captured, for tests of the CLI (the commands
 * write with `process.stdout.write`, as a user would see it). Restores both streams afterwards,
 * also when the command throws.
 */
export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function captureOutput(command: () => Promise<number>): Promise<CapturedRun> {
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  let stdout = "";
  let stderr = "";
  process.stdout.write = ((chunk: unknown) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await command();
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
