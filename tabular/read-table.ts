/**
 * `readRawTable(path)`: the one entry point for reading a table file. It checks the file
 * (exists, readable, not empty, not binary), picks the format from the file's magic bytes and
 * extension, and refuses a table without rows.
 */
import { open, stat } from "node:fs/promises";
import { extname } from "node:path";
import { TableReadError } from "./errors.js";
import { firstRecordEnd, readCsvFile } from "./read-csv.js";
import { readTypedFile } from "./read-typed.js";
import type { RawTable, TableFileFormat } from "./raw-table.js";

const HEAD_BYTES = 64 * 1024;
/** Longest header record read: past this a "header" is most likely not a header at all. */
const MAX_HEADER_BYTES = 64 * 2 ** 20;

/** The format a path is read and written as, from its extension (`.csv` when unknown). */
export function formatFromPath(path: string): TableFileFormat {
  switch (extname(path).toLowerCase()) {
    case ".tsv":
    case ".tab":
      return "tsv";
    case ".parquet":
    case ".pq":
      return "parquet";
    case ".json":
      return "json";
    case ".ndjson":
    case ".jsonl":
      return "ndjson";
    default:
      return "csv";
  }
}

async function readBytes(path: string, position: number, length: number): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TableReadError(path, `cannot read ${path} (${code ?? String(error)}); check its permissions.`, { cause: error });
  } finally {
    await handle?.close();
  }
}

async function readHead(path: string): Promise<{ head: Uint8Array; sizeBytes: number }> {
  let sizeBytes: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new TableReadError(path, `${path} is a directory; give the path of a table file (.csv, .tsv, .parquet, .json, .ndjson).`);
    sizeBytes = info.size;
  } catch (error) {
    if (error instanceof TableReadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new TableReadError(path, `file not found: ${path}; check the path.`, { cause: error });
    throw new TableReadError(path, `cannot read ${path} (${code ?? String(error)}); check the path and its permissions.`, { cause: error });
  }
  return { head: await readBytes(path, 0, Math.min(HEAD_BYTES, sizeBytes)), sizeBytes };
}

/**
 * The start of a delimited file, decoded, long enough to hold the whole header record: a header
 * longer than the first read (64 KiB: thousands of columns) is read further, up to 64 MiB.
 */
async function headerText(path: string, head: Uint8Array, sizeBytes: number, decode: (bytes: Uint8Array) => string): Promise<string> {
  let bytes = head;
  let text = decode(bytes);
  while (firstRecordEnd(text) < 0 && bytes.length < sizeBytes) {
    if (bytes.length >= MAX_HEADER_BYTES) {
      throw new TableReadError(
        path,
        `${path}: the header row is longer than 64 MiB (no line end found); check that the file is a delimited table with one header line.`,
      );
    }
    bytes = await readBytes(path, 0, Math.min(sizeBytes, bytes.length * 4, MAX_HEADER_BYTES));
    text = decode(bytes);
  }
  return text;
}

/**
 * JSON tables are an array of objects or one object per line (NDJSON). DuckDB accepts a bare value
 * (`42` became a one-column table) and stops at a cut-off end (`[{"a":1},{"a":2},` read as two
 * rows), so both ends are checked here: the first character must open an object or an array and
 * the last must close one.
 */
async function checkJsonEnds(path: string, head: Uint8Array, sizeBytes: number, format: "json" | "ndjson"): Promise<void> {
  const first = new TextDecoder()
    .decode(head)
    .replace(/^\uFEFF/, "")
    .trimStart()[0];
  const allowedFirst = format === "json" ? ["[", "{"] : ["{"];
  if (first === undefined || !allowedFirst.includes(first)) {
    const shape = format === "json" ? 'an array of objects ([{"column": value}, …])' : 'one object per line ({"column": value})';
    throw new TableReadError(
      path,
      `${path} is not a JSON table: it starts with ${JSON.stringify(first ?? "")} but a table is ${shape}; fix or re-export the file.`,
    );
  }
  const tail = new TextDecoder().decode(await readBytes(path, Math.max(0, sizeBytes - 256), Math.min(256, sizeBytes))).trimEnd();
  const last = tail[tail.length - 1];
  const closing = format === "json" ? (first === "[" ? "]" : "}") : "}";
  if (last !== closing) {
    throw new TableReadError(
      path,
      `${path} ends in the middle of its JSON (the last character is ${JSON.stringify(last ?? "")}, not "${closing}"): the file looks cut off; re-export or download it again.`,
    );
  }
}

/** Whether the first bytes look like binary data rather than text: NUL bytes or many control characters. */
function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return true;
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 13 && byte !== 12) control++;
  }
  return control > head.length / 100;
}

function isParquetMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31; // "PAR1"
}

/** Decodes the head as UTF-8; undefined when it is not valid UTF-8 (a cut last character is fine). */
function decodeUtf8(head: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
}

/** Reads a CSV, TSV, Parquet, JSON or NDJSON file into untyped-or-typed columns (see RawTable). */
export async function readRawTable(path: string): Promise<RawTable> {
  const { head, sizeBytes } = await readHead(path);
  if (sizeBytes === 0) throw new TableReadError(path, `${path} is empty (0 bytes); give a table with a header row and at least one data row.`);
  let format = formatFromPath(path);
  if (isParquetMagic(head)) format = "parquet";
  else if (format === "parquet")
    throw new TableReadError(path, `${path} is not a Parquet file (no PAR1 header); check the file or rename it to its real format.`);
  let table: RawTable;
  if (format === "parquet" || format === "json" || format === "ndjson") {
    if (format !== "parquet" && looksBinary(head)) throw notText(path);
    if (format !== "parquet") await checkJsonEnds(path, head, sizeBytes, format);
    table = await readTypedFile(path, format);
  } else {
    if (looksBinary(head)) throw notText(path);
    let encoding = "utf-8";
    const warnings: string[] = [];
    if (decodeUtf8(head) === undefined) {
      // Not UTF-8 but not binary either: most likely Latin-1 (Windows exports). Read it as such.
      encoding = "latin-1";
      warnings.push(`${path} is not valid UTF-8; it was read as Latin-1. Save it as UTF-8 if the accents look wrong.`);
    }
    const decode = (bytes: Uint8Array) => (encoding === "utf-8" ? (decodeUtf8(bytes) ?? "") : new TextDecoder("latin1").decode(bytes));
    const text = await headerText(path, head, sizeBytes, decode);
    if (text.replace(/^\uFEFF/, "").trim() === "")
      throw new TableReadError(path, `${path} has no header row (only blank space); give a table with a header row and at least one data row.`);
    table = await readCsvFile(path, text, { tsv: format === "tsv", encoding, sizeBytes });
    table.warnings.unshift(...warnings);
  }
  if (table.rowCount === 0) throw new TableReadError(path, `${path} has no rows (only a header); give a table with at least one data row.`);
  return table;
}

function notText(path: string): TableReadError {
  return new TableReadError(path, `${path} is not a text table (it looks binary); give a CSV, TSV, JSON, NDJSON or Parquet file.`);
}
