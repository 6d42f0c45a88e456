import { describe, expect, it } from "vitest";
import { idPatternOf, isEmail, isPersonName, isPhoneNumber } from "./column-shapes.js";
import { fakePiiValues } from "./pii-fakes.js";
import type { IdColumnSchema, PiiColumnSchema } from "./schema.js";
import { makeIds } from "./synthetic-ids.js";

const id = (pattern: string): IdColumnSchema => ({ name: "id", type: "id", pattern });
const pii = (kind: PiiColumnSchema["kind"], name = "col", shape?: string): PiiColumnSchema =>
  shape === undefined ? { name, type: "pii", kind, action: "fake" } : { name, type: "pii", kind, action: "fake", shape };

describe("makeIds", () => {
  it("is unique across chunks made separately, and deterministic per seed", () => {
    for (const pattern of ["integer", "uuid", "C{digits:6}", "{alnum:8}", "INV-{upper:2}{digits:3}"]) {
      const chunks = [makeIds(id(pattern), 0, 5000, 42n), makeIds(id(pattern), 5000, 1, 42n), makeIds(id(pattern), 5001, 20_000, 42n)];
      const all = chunks.flat();
      expect(new Set(all).size, pattern).toBe(all.length);
      expect(makeIds(id(pattern), 5000, 1, 42n)).toEqual(chunks[1]);
      expect(makeIds(id(pattern), 100, 3, 42n)).toEqual(all.slice(100, 103));
    }
  });

  it("keeps the input's shape", () => {
    expect(makeIds(id("integer"), 10, 3, 1n)).toEqual(["11", "12", "13"]);
    for (const uuid of makeIds(id("uuid"), 0, 1000, 7n)) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const value of makeIds(id("C{digits:6}"), 0, 1000, 7n)) expect(value).toMatch(/^C\d{6}$/);
    for (const value of makeIds(id("INV-{upper:2}{digits:3}"), 0, 1000, 7n)) expect(value).toMatch(/^INV-[A-Z]{2}\d{3}$/);
    // The shape learned from an input column is what makeIds reproduces.
    const input = ["C0001", "C0002", "C0419"];
    for (const value of makeIds(id(idPatternOf(input)), 0, 100, 3n)) expect(value).toMatch(/^C\d{4}$/);
  });

  it("differs between seeds and grows instead of repeating when the pattern is full", () => {
    expect(makeIds(id("uuid"), 0, 10, 1n)).not.toEqual(makeIds(id("uuid"), 0, 10, 2n));
    const overflow = makeIds(id("X{digits:2}"), 0, 250, 5n);
    expect(new Set(overflow).size).toBe(250);
    expect(overflow[249]).toMatch(/^X\d{3}$/);
  });
});

describe("fakePiiValues", () => {
  it("emails on example domains, recognised as emails", () => {
    const emails = fakePiiValues(pii("email"), 0, 500, 9n);
    for (const email of emails) {
      expect(isEmail(email)).toBe(true);
      expect(email).toMatch(/^[a-z]+\.[a-z]+\d+@example\.(com|org|net)$/);
    }
    expect(new Set(emails).size).toBe(500);
  });

  it("phone numbers in the input's shape", () => {
    const phones = fakePiiValues(pii("phone", "tel", "+# (###) ###-####"), 0, 500, 9n);
    for (const phone of phones) {
      expect(phone).toMatch(/^\+\d \(\d{3}\) \d{3}-\d{4}$/);
      expect(isPhoneNumber(phone)).toBe(true);
    }
    expect(new Set(phones).size).toBeGreaterThan(490);
  });

  it("names: full, given or family by the column's name", () => {
    for (const name of fakePiiValues(pii("name", "full_name"), 0, 200, 9n)) {
      expect(isPersonName(name)).toBe(true);
      expect(name.split(" ").length).toBe(2);
    }
    for (const name of fakePiiValues(pii("name", "first_name"), 0, 200, 9n)) expect(name).toMatch(/^\p{Lu}\p{Ll}+$/u);
    expect(new Set(fakePiiValues(pii("name", "full_name"), 0, 2000, 9n)).size).toBeGreaterThan(500);
  });

  it("is deterministic per (seed, row)", () => {
    for (const kind of ["email", "phone", "name", "text"] as const) {
      const whole = fakePiiValues(pii(kind), 0, 300, 77n);
      expect(fakePiiValues(pii(kind), 100, 50, 77n)).toEqual(whole.slice(100, 150));
      expect(fakePiiValues(pii(kind), 0, 300, 78n)).not.toEqual(whole);
    }
  });
});
