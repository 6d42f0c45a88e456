import { describe, expect, it } from "vitest";
import { CANDIDATE_DATETIME_FORMATS, formatDatetime, formatHasTime, parseDatetime } from "./datetime-format.js";

/** Fresh random UTC instants between 1900 and 2100, whole milliseconds. */
function randomInstants(count: number): number[] {
  const lo = Date.UTC(1900, 0, 1);
  const hi = Date.UTC(2100, 0, 1);
  return Array.from({ length: count }, () => Math.floor(lo + Math.random() * (hi - lo)));
}

/** Independent reference: the instant truncated to what a format can hold, via Date's own fields. */
function truncateTo(epochMs: number, format: string): number {
  const d = new Date(epochMs);
  const hasSeconds = format.includes("%S");
  const hasMinutes = format.includes("%M");
  const hasHours = format.includes("%H") || format.includes("%I");
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth(),
    d.getUTCDate(),
    hasHours ? d.getUTCHours() : 0,
    hasMinutes ? d.getUTCMinutes() : 0,
    hasSeconds ? d.getUTCSeconds() : 0,
    format.includes("%f") ? d.getUTCMilliseconds() : 0,
  );
}

describe("formatDatetime / parseDatetime", () => {
  it("round-trips every candidate format on random instants, at the format's precision", () => {
    for (const format of CANDIDATE_DATETIME_FORMATS) {
      for (const instant of randomInstants(200)) {
        const text = formatDatetime(instant, format);
        expect(parseDatetime(text, format), `${format}: ${text}`).toBe(truncateTo(instant, format));
      }
    }
  });

  it("agrees with Date's own ISO formatting", () => {
    for (const instant of randomInstants(500)) {
      expect(formatDatetime(instant, "%Y-%m-%dT%H:%M:%S.%fZ")).toBe(new Date(instant).toISOString());
      expect(parseDatetime(new Date(instant).toISOString(), "%Y-%m-%dT%H:%M:%S.%fZ")).toBe(instant);
    }
  });

  it("reads offsets, 12-hour clocks, month names and two-digit years", () => {
    expect(parseDatetime("2024-03-01T10:00:00+02:00", "%Y-%m-%dT%H:%M:%S%z")).toBe(Date.UTC(2024, 2, 1, 8));
    expect(parseDatetime("2024-03-01T10:00:00-0130", "%Y-%m-%dT%H:%M:%S%z")).toBe(Date.UTC(2024, 2, 1, 11, 30));
    expect(parseDatetime("12/31/1999 12:05 AM", "%m/%d/%Y %I:%M %p")).toBe(Date.UTC(1999, 11, 31, 0, 5));
    expect(parseDatetime("12/31/1999 12:05 PM", "%m/%d/%Y %I:%M %p")).toBe(Date.UTC(1999, 11, 31, 12, 5));
    expect(parseDatetime("Jun 12 1998", "%b %d %Y")).toBe(Date.UTC(1998, 5, 12));
    expect(parseDatetime("05-March-21", "%d-%B-%y")).toBe(Date.UTC(2021, 2, 5));
    expect(parseDatetime("05-March-69", "%d-%B-%y")).toBe(Date.UTC(1969, 2, 5));
    expect(parseDatetime("2020-060", "%Y-%j")).toBe(Date.UTC(2020, 1, 29));
    expect(formatDatetime(Date.UTC(2020, 1, 29), "%Y-%j")).toBe("2020-060");
    expect(formatDatetime(Date.UTC(1998, 5, 12, 15, 4), "%d %B %Y, %I:%M %p")).toBe("12 June 1998, 03:04 PM");
    expect(formatDatetime(Date.UTC(1998, 5, 12), "100%% on %d.%m.%y")).toBe("100% on 12.06.98");
  });

  it("refuses dates that do not exist and text that does not fit", () => {
    expect(parseDatetime("2023-02-29", "%Y-%m-%d")).toBeNaN();
    expect(parseDatetime("2024-02-29", "%Y-%m-%d")).toBe(Date.UTC(2024, 1, 29));
    expect(parseDatetime("2024-13-01", "%Y-%m-%d")).toBeNaN();
    expect(parseDatetime("2024-01-01 25:00", "%Y-%m-%d %H:%M")).toBeNaN();
    expect(parseDatetime("31/12/2024", "%m/%d/%Y")).toBeNaN();
    expect(parseDatetime("2024-01-01x", "%Y-%m-%d")).toBeNaN();
    expect(parseDatetime("", "%Y-%m-%d")).toBeNaN();
    expect(formatDatetime(Number.NaN, "%Y")).toBe("");
  });

  it("knows which formats carry a time of day", () => {
    expect(formatHasTime("%Y-%m-%d")).toBe(false);
    expect(formatHasTime("%d/%m/%Y %H:%M")).toBe(true);
    expect(formatHasTime("%T")).toBe(true);
  });
});
