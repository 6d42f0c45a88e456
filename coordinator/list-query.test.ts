import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import { PageTokens, parseJobFilter } from "./list-query.js";

describe("parseJobFilter", () => {
  it("reads states and kinds with or without prefixes, any case, with OR groups", () => {
    expect(parseJobFilter("")).toEqual({ states: [], kinds: [] });
    expect(parseJobFilter("state = RUNNING")).toEqual({ states: ["JOB_STATE_RUNNING"], kinds: [] });
    expect(parseJobFilter("state=(queued OR JOB_STATE_LEASED) and kind = synthesis")).toEqual({
      states: ["JOB_STATE_QUEUED", "JOB_STATE_LEASED"],
      kinds: ["JOB_KIND_SYNTHESIS"],
    });
  });
  it("rejects unknown fields, values, repeated fields and bad syntax with a hint", () => {
    for (const bad of ["owner = alice", "state = SLEEPING", "state = RUNNING AND state = QUEUED", "state RUNNING", "state = (A OR", "kind = TRAINING"]) {
      expect(() => parseJobFilter(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => parseJobFilter("state = SLEEPING")).toThrow(/use one of QUEUED, LEASED/);
  });
});

describe("PageTokens", () => {
  const tokens = new PageTokens(randomBytes(32));
  const filter = parseJobFilter("state = QUEUED");
  it("round-trips a position for the same caller and filter, whatever the value order", () => {
    const token = tokens.encode(42, "alice", filter);
    expect(tokens.decode(token, "alice", parseJobFilter("state = (QUEUED)"))).toBe(42);
    const two = parseJobFilter("state = (QUEUED OR RUNNING)");
    expect(tokens.decode(tokens.encode(7, "alice", two), "alice", parseJobFilter("state = (RUNNING OR QUEUED)"))).toBe(7);
  });
  it("rejects tokens that were altered, forged, or reused by another caller or filter", () => {
    const token = tokens.encode(42, "alice", filter);
    const [body, mac] = token.split(".");
    const forgedBody = Buffer.from(JSON.stringify({ v: 1, s: 1000, o: "alice", f: "s=JOB_STATE_QUEUED;k=" })).toString("base64url");
    expect(() => tokens.decode(`${forgedBody}.${mac}`, "alice", filter)).toThrow(/altered/);
    expect(() => tokens.decode(`${body}.${mac}x`, "alice", filter)).toThrow(InvalidArgumentError);
    expect(() => tokens.decode(token, "bob", filter)).toThrow(/different filter or caller/);
    expect(() => tokens.decode(token, "alice", parseJobFilter(""))).toThrow(/different filter or caller/);
    expect(() => new PageTokens(randomBytes(32)).decode(token, "alice", filter)).toThrow(/another coordinator/);
    expect(() => tokens.decode("garbage", "alice", filter)).toThrow(/malformed/);
  });
});
