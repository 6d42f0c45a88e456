import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { type HolderMeasurement, MEASUREMENT_FILE_VERSION, MeasurementFileError, parseMeasurement, serializeMeasurement } from "./measurement-file.js";

const measurement: HolderMeasurement = {
  round: "tree",
  holder: "site-a",
  domain: "ab".repeat(32),
  release: { mechanism: "discrete Gaussian", rho: 0.004, sigma: 43.2, sensitivity: Math.sqrt(14), count: 14 },
  privateRandomness: true,
  blocks: [
    { key: "2:0,5", values: Float64Array.from([12, -3, 0.5, 1e300, -0]) },
    { key: "2:3,4", values: new Float64Array(0) },
    { key: "2:4,6", values: Float64Array.from({ length: 300 }, (_, i) => i * 1.25 - 7) },
  ],
};

/** Rewrites the trailing SHA-256 after an edit, so a test reaches the checks behind the checksum. */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out.set(
    createHash("sha256")
      .update(out.subarray(0, out.length - 32))
      .digest(),
    out.length - 32,
  );
  return out;
}

describe("measurement file (DLFM)", () => {
  test("round trip keeps every field and every float64 bit", () => {
    const bytes = serializeMeasurement(measurement);
    expect(Buffer.from(bytes.subarray(0, 4)).toString("latin1")).toBe("DLFM");
    const headerBytes = Buffer.from(bytes).readUInt32LE(8);
    expect(bytes.length).toBe(12 + headerBytes + 8 * 305 + 32);
    const parsed = parseMeasurement(bytes, "test");
    expect({ ...parsed, blocks: [] }).toEqual({ ...measurement, blocks: [] });
    parsed.blocks.forEach((block, k) => {
      expect(block.key).toBe(measurement.blocks[k]!.key);
      expect(Buffer.from(block.values.buffer)).toEqual(Buffer.from(measurement.blocks[k]!.values.buffer));
    });
    expect(Object.is(parsed.blocks[0]!.values[4], -0)).toBe(true);
  });

  test("a flipped bit anywhere, a truncation, another magic or version are refused with a one-line reason", () => {
    const bytes = serializeMeasurement(measurement);
    for (const position of [0, 5, 10, 40, bytes.length - 100, bytes.length - 1]) {
      const corrupt = Uint8Array.from(bytes);
      corrupt[position] = corrupt[position]! ^ 0x10;
      expect(() => parseMeasurement(corrupt, "from holder site-a")).toThrow(MeasurementFileError);
    }
    const payloadFlip = Uint8Array.from(bytes);
    payloadFlip[bytes.length - 100] = payloadFlip[bytes.length - 100]! ^ 1;
    expect(() => parseMeasurement(payloadFlip, "from holder site-a")).toThrow(
      "measurement from holder site-a: fails its SHA-256 checksum (truncated or altered in transit); ask the holder to resend it.",
    );
    expect(() => parseMeasurement(bytes.subarray(0, bytes.length - 9), "m")).toThrow(/checksum/);
    expect(() => parseMeasurement(bytes.subarray(0, 20), "m")).toThrow(/not a datalab measurement file/);
    expect(() => parseMeasurement(new TextEncoder().encode("PK\u0003\u0004 a zip, not ours".padEnd(64)), "m.bin")).toThrow(
      /measurement m.bin: is not a datalab measurement file/,
    );
    const newer = Uint8Array.from(bytes);
    newer[4] = MEASUREMENT_FILE_VERSION + 1;
    expect(() => parseMeasurement(resealed(newer), "m")).toThrow(`has format version ${MEASUREMENT_FILE_VERSION + 1}, this build reads version 1`);
  });

  test("a sealed file whose header and payload disagree, or whose header is not ours, is refused", () => {
    const bytes = serializeMeasurement(measurement);
    // Drop the last value of the payload (8 bytes before the checksum) and reseal: lengths disagree.
    const short = new Uint8Array(bytes.length - 8);
    short.set(bytes.subarray(0, bytes.length - 40));
    expect(() => parseMeasurement(resealed(short), "m")).toThrow("holds 2432 payload bytes but its header declares 305 values (2440 bytes)");
    const text = Buffer.from(bytes).toString("latin1");
    const wrongRound = Buffer.from(text.replace('"round":"tree"', '"round":"tres"'), "latin1");
    expect(() => parseMeasurement(resealed(wrongRound), "m")).toThrow('has a header without a valid "round"');
    const negativeSigma = Buffer.from(text.replace('"sigma":43.2', '"sigma":-432'), "latin1");
    expect(() => parseMeasurement(resealed(negativeSigma), "m")).toThrow('without a valid "release"');
    const notJson = Buffer.from(text.replace('{"round"', '{"round '), "latin1");
    expect(() => parseMeasurement(resealed(notJson), "m")).toThrow("has a header that is not JSON");
  });

  test("non-finite values are neither written nor read", () => {
    const bad = { ...measurement, blocks: [{ key: "2:0,5", values: Float64Array.from([1, Number.NaN]) }] };
    expect(() => serializeMeasurement(bad)).toThrow('block "2:0,5" holds NaN; only finite values are written.');
    const bytes = Buffer.from(serializeMeasurement({ ...measurement, blocks: [{ key: "x", values: Float64Array.from([1, 2]) }] }));
    bytes.writeDoubleLE(Number.POSITIVE_INFINITY, bytes.length - 32 - 8);
    expect(() => parseMeasurement(resealed(bytes), "m")).toThrow('block "x" holds a non-finite value at 1');
  });
});
