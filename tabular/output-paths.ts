/**
 * An output must never replace an input: `datalab synth x.csv --out x.csv` would swap the real
 * table for synthetic rows. Two paths name the same file when they resolve to the same real
 * path (symbolic links, `..`, relative vs absolute) or, for files that exist, when they share
 * (device, inode): a hard link is the same file under another name. Outputs are also checked
 * against each other (`--out r.json --report-json r.json` would keep only one of them).
 */
import { realpath, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { TableWriteError } from "./errors.js";

/** A path with the flag (or role) that named it, for the message. */
export interface NamedPath {
  flag: string;
  path: string;
}

interface FileIdentity {
  /** The real path: symbolic links and relative parts resolved (for a new file, its folder's). */
  real: string;
  /** `dev:ino` of an existing file; undefined for a file that does not exist yet. */
  inode: string | undefined;
}

async function identify(path: string): Promise<FileIdentity> {
  const absolute = resolve(path);
  try {
    const info = await stat(absolute);
    return { real: await realpath(absolute), inode: `${info.dev}:${info.ino}` };
  } catch {
    // Not there yet (or unreadable): the file would be created in its folder's real location.
    try {
      return { real: join(await realpath(dirname(absolute)), basename(absolute)), inode: undefined };
    } catch {
      return { real: absolute, inode: undefined };
    }
  }
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.real === b.real || (a.inode !== undefined && a.inode === b.inode);
}

/**
 * Throws a TableWriteError when an output names the same file as an input or as another output.
 * Missing inputs are skipped here: reading them reports that better.
 */
export async function checkOutputPaths(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): Promise<void> {
  const inputIds = await Promise.all(inputs.map(async (input) => ({ ...input, id: await identify(input.path) })));
  const seen: (NamedPath & { id: FileIdentity })[] = [];
  for (const output of outputs) {
    const id = await identify(output.path);
    const input = inputIds.find((candidate) => sameFile(candidate.id, id));
    if (input !== undefined) {
      const what =
        input.path === output.path
          ? `${output.flag} ${output.path} is the ${input.flag} file`
          : `${output.flag} ${output.path} is the same file as ${input.flag} ${input.path}`;
      throw new TableWriteError(output.path, `${what}; writing it would destroy the input. Choose another output path.`);
    }
    const earlier = seen.find((candidate) => sameFile(candidate.id, id));
    if (earlier !== undefined) {
      throw new TableWriteError(
        output.path,
        `${output.flag} and ${earlier.flag} both name ${output.path}; one would overwrite the other. Give them different paths.`,
      );
    }
    seen.push({ ...output, id });
  }
}
