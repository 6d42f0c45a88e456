/**
 * The file a holder sends back from a federated MST round: its noisy measurements, never a row.
 *
 * Layout (little-endian), version 1:
 *   0   "DLFM"                      magic
 *   4   u16 version                 MEASUREMENT_FILE_VERSION
 *   6   u16 flags                   0 (reserved)
 *   8   u32 headerBytes
 *   12  header                      UTF-8 JSON: everything but the numbers (round, holder, domain
 *                                   fingerprint, the release's ρ/σ/sensitivity, block keys and lengths)
 *   …   payload                     float64 values of every block, in header order
 *   end SHA-256 of all bytes before it (32 bytes)
 * The checksum catches a truncated or altered transfer; the header says what each number is, so a
 * coordinator can refuse a measurement over another schema before summing it.
 */
import { createHash } from "node:crypto";
import { GeneratorError } from "../errors.js";

export const MEASUREMENT_FILE_MAGIC = "DLFM";
export const MEASUREMENT_FILE_VERSION = 1;
const PREAMBLE_BYTES = 12;
const CHECKSUM_BYTES = 32;
/** A header larger than this is not one of ours (a 100-column schema's tree round is ~10 KiB). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export const MEASUREMENT_ROUNDS = ["one-way", "selection", "tree"] as const;
export type MeasurementRound = (typeof MEASUREMENT_ROUNDS)[number];

/** One noisy vector: a 1-way marginal ("1:i"), the selection scores ("scores"), a tree 2-way marginal ("2:i,j"). */
export interface MeasurementBlock {
  key: string;
  values: Float64Array;
}

export interface HolderMeasurement {
  round: MeasurementRound;
  /** The holder's id as the coordinator knows it. */
  holder: string;
  /** SHA-256 of the shared schema's discrete domain: sums over different domains are refused. */
  domain: string;
  /** The release: discrete Gaussian noise of σ per value, L2 sensitivity, zCDP spent on the holder's rows. */
  release: { mechanism: "discrete Gaussian"; rho: number; sigma: number; sensitivity: number; count: number };
  /** False when the noise came from a seeded test source (the measurement is then NOT private). */
  privateRandomness: boolean;
  blocks: MeasurementBlock[];
}

/** A measurement file that is not one, from another version, truncated or corrupted. */
export class MeasurementFileError extends GeneratorError {
  constructor(what: string, problem: string, options?: { cause?: unknown }) {
    super(`measurement ${what}: ${problem}`, options);
  }
}

interface Header {
  round: MeasurementRound;
  holder: string;
  domain: string;
  release: HolderMeasurement["release"];
  privateRandomness: boolean;
  blocks: { key: string; length: number }[];
}

export function serializeMeasurement(measurement: HolderMeasurement): Uint8Array {
  const header: Header = {
    round: measurement.round,
    holder: measurement.holder,
    domain: measurement.domain,
    release: measurement.release,
    privateRandomness: measurement.privateRandomness,
    blocks: measurement.blocks.map((b) => ({ key: b.key, length: b.values.length })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const values = measurement.blocks.reduce((sum, b) => sum + b.values.length, 0);
  const total = PREAMBLE_BYTES + headerBytes.length + 8 * values + CHECKSUM_BYTES;
  const out = Buffer.alloc(total);
  out.write(MEASUREMENT_FILE_MAGIC, 0, "latin1");
  out.writeUInt16LE(MEASUREMENT_FILE_VERSION, 4);
  out.writeUInt16LE(0, 6);
  out.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(out, PREAMBLE_BYTES);
  let offset = PREAMBLE_BYTES + headerBytes.length;
  for (const block of measurement.blocks) {
    for (const v of block.values) {
      if (!Number.isFinite(v)) throw new MeasurementFileError(`of ${measurement.holder}`, `block "${block.key}" holds ${v}; only finite values are written.`);
      out.writeDoubleLE(v, offset);
      offset += 8;
    }
  }
  createHash("sha256").update(out.subarray(0, offset)).digest().copy(out, offset);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Parses and checks a measurement file; `what` names it in errors (a path or "from holder h"). */
export function parseMeasurement(bytes: Uint8Array, what: string): HolderMeasurement {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < PREAMBLE_BYTES + CHECKSUM_BYTES || data.toString("latin1", 0, 4) !== MEASUREMENT_FILE_MAGIC)
    throw new MeasurementFileError(what, `is not a datalab measurement file (no "${MEASUREMENT_FILE_MAGIC}" header); ask the holder to resend it.`);
  const version = data.readUInt16LE(4);
  if (version !== MEASUREMENT_FILE_VERSION)
    throw new MeasurementFileError(
      what,
      `has format version ${version}, this build reads version ${MEASUREMENT_FILE_VERSION}; run the same datalab version on holders and coordinator.`,
    );
  const body = data.length - CHECKSUM_BYTES;
  const expected = createHash("sha256").update(data.subarray(0, body)).digest();
  if (!expected.equals(data.subarray(body)))
    throw new MeasurementFileError(what, "fails its SHA-256 checksum (truncated or altered in transit); ask the holder to resend it.");
  const headerBytes = data.readUInt32LE(8);
  if (headerBytes > MAX_HEADER_BYTES || PREAMBLE_BYTES + headerBytes > body)
    throw new MeasurementFileError(what, `declares a ${headerBytes}-byte header that does not fit the file; ask the holder to resend it.`);
  let header: Header;
  try {
    header = JSON.parse(data.toString("utf8", PREAMBLE_BYTES, PREAMBLE_BYTES + headerBytes)) as Header;
  } catch (cause) {
    throw new MeasurementFileError(what, "has a header that is not JSON; ask the holder to resend it.", { cause });
  }
  checkHeader(header, what);
  const payloadBytes = body - PREAMBLE_BYTES - headerBytes;
  const declared = header.blocks.reduce((sum, b) => sum + b.length, 0);
  if (payloadBytes !== 8 * declared)
    throw new MeasurementFileError(
      what,
      `holds ${payloadBytes} payload bytes but its header declares ${declared} values (${8 * declared} bytes); ask the holder to resend it.`,
    );
  let offset = PREAMBLE_BYTES + headerBytes;
  const blocks = header.blocks.map(({ key, length }) => {
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++, offset += 8) {
      values[i] = data.readDoubleLE(offset);
      if (!Number.isFinite(values[i]!)) throw new MeasurementFileError(what, `block "${key}" holds a non-finite value at ${i}; ask the holder to resend it.`);
    }
    return { key, values };
  });
  return { round: header.round, holder: header.holder, domain: header.domain, release: header.release, privateRandomness: header.privateRandomness, blocks };
}

function checkHeader(header: Header, what: string): void {
  const bad = (field: string) =>
    new MeasurementFileError(what, `has a header without a valid "${field}"; ask the holder to resend it with this datalab version.`);
  if (typeof header !== "object" || header === null) throw bad("header");
  if (!(MEASUREMENT_ROUNDS as readonly string[]).includes(header.round)) throw bad("round");
  if (typeof header.holder !== "string" || header.holder.length === 0) throw bad("holder");
  if (typeof header.domain !== "string" || !/^[0-9a-f]{64}$/.test(header.domain)) throw bad("domain");
  if (typeof header.privateRandomness !== "boolean") throw bad("privateRandomness");
  const r = header.release;
  if (
    typeof r !== "object" ||
    r === null ||
    r.mechanism !== "discrete Gaussian" ||
    ![r.rho, r.sigma, r.sensitivity, r.count].every((v) => typeof v === "number" && Number.isFinite(v) && v > 0)
  )
    throw bad("release");
  if (!Array.isArray(header.blocks) || header.blocks.some((b) => typeof b?.key !== "string" || !Number.isSafeInteger(b.length) || b.length < 0))
    throw bad("blocks");
}
