/**
 * ListJobs: the filter grammar and opaque page tokens (AIP-158 / AIP-160).
 * Filter: clauses joined by AND; a clause is `state = X`, `kind = Y`, or `state = (X OR Y)`;
 * values are enum names with or without their prefix, any case. Page tokens carry the position
 * (the seq of the last job sent) and a digest of the filter, signed with an HMAC key kept in the
 * store, so they survive restarts, cannot be forged, and fail if reused with another filter.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { JobKindName } from "../proto/index.js";
import { InvalidArgumentError } from "./errors.js";
import { ALL_STATES, type JobStateValue } from "./job-states.js";

const KINDS: readonly JobKindName[] = ["JOB_KIND_SYNTHESIS", "JOB_KIND_SAMPLE"];

export interface JobFilter {
  states: JobStateValue[];
  kinds: JobKindName[];
}

function enumValue<T extends string>(field: string, prefix: string, allowed: readonly T[], text: string): T {
  const upper = text.toUpperCase();
  const full = (upper.startsWith(prefix) ? upper : `${prefix}${upper}`) as T;
  if (!allowed.includes(full)) {
    throw new InvalidArgumentError(`filter: unknown ${field} "${text}"; use one of ${allowed.map((v) => v.slice(prefix.length)).join(", ")}.`);
  }
  return full;
}

export function parseJobFilter(filter: string): JobFilter {
  const result: JobFilter = { states: [], kinds: [] };
  const text = filter.trim();
  if (text === "") return result;
  if (text.length > 1000) throw new InvalidArgumentError("filter is longer than 1000 characters.");
  const seen = new Set<string>();
  for (const clause of text.split(/\s+AND\s+/i)) {
    const match = /^(\w+)\s*=\s*(?:(\w+)|\(\s*(\w+(?:\s+OR\s+\w+)*)\s*\))$/i.exec(clause.trim());
    if (match === null) {
      throw new InvalidArgumentError(
        `filter: cannot read "${clause.trim()}"; write clauses like \`state = RUNNING\` or \`state = (QUEUED OR LEASED) AND kind = SYNTHESIS\`.`,
      );
    }
    const field = match[1]!.toLowerCase();
    const values = match[2] !== undefined ? [match[2]] : match[3]!.split(/\s+OR\s+/i);
    if (seen.has(field)) throw new InvalidArgumentError(`filter: ${field} appears twice; combine values as \`${field} = (A OR B)\`.`);
    seen.add(field);
    if (field === "state") result.states = values.map((v) => enumValue("state", "JOB_STATE_", ALL_STATES, v));
    else if (field === "kind") result.kinds = values.map((v) => enumValue("kind", "JOB_KIND_", KINDS, v));
    else throw new InvalidArgumentError(`filter: unknown field "${match[1]}"; filter on state or kind.`);
  }
  return result;
}

/** A stable text of a filter's meaning (order of values ignored). */
export function filterKey(filter: JobFilter): string {
  return `s=${[...filter.states].sort().join("|")};k=${[...filter.kinds].sort().join("|")}`;
}

export class PageTokens {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    this.key = key;
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.key).update(body).digest().subarray(0, 16);
  }

  encode(afterSeq: number, owner: string, filter: JobFilter): string {
    const body = JSON.stringify({ v: 1, s: afterSeq, o: owner, f: filterKey(filter) });
    return `${Buffer.from(body).toString("base64url")}.${this.mac(body).toString("base64url")}`;
  }

  /** The seq to continue below; InvalidArgument if the token is altered or used with another filter/caller. */
  decode(token: string, owner: string, filter: JobFilter): number {
    const [bodyText, macText, extra] = token.split(".");
    const fail = (why: string) => new InvalidArgumentError(`page_token ${why}; start again with an empty page_token.`);
    if (bodyText === undefined || macText === undefined || extra !== undefined) throw fail("is malformed");
    const body = Buffer.from(bodyText, "base64url").toString("utf8");
    const mac = Buffer.from(macText, "base64url");
    const expected = this.mac(body);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw fail("was altered or comes from another coordinator");
    const parsed = JSON.parse(body) as { v: number; s: number; o: string; f: string };
    if (parsed.o !== owner || parsed.f !== filterKey(filter)) throw fail("belongs to a different filter or caller");
    return parsed.s;
  }
}
