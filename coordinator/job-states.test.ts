import { describe, expect, it } from "vitest";
import {
  ALL_STATES,
  assertTransition,
  CANCELLED,
  canTransition,
  FAILED,
  IllegalTransitionError,
  isTerminal,
  LEASED,
  QUEUED,
  RUNNING,
  SUCCEEDED,
} from "./job-states.js";

describe("job state machine", () => {
  it("allows exactly the documented transitions", () => {
    const allowed = new Set([
      `${QUEUED}>${LEASED}`,
      `${QUEUED}>${RUNNING}`, // a federated job, run by the coordinator with holders
      `${QUEUED}>${CANCELLED}`,
      `${QUEUED}>${FAILED}`,
      `${QUEUED}>${SUCCEEDED}`,
      `${LEASED}>${RUNNING}`,
      `${LEASED}>${QUEUED}`,
      `${LEASED}>${SUCCEEDED}`,
      `${LEASED}>${FAILED}`,
      `${LEASED}>${CANCELLED}`,
      `${RUNNING}>${QUEUED}`,
      `${RUNNING}>${SUCCEEDED}`,
      `${RUNNING}>${FAILED}`,
      `${RUNNING}>${CANCELLED}`,
    ]);
    for (const from of ALL_STATES) {
      for (const to of ALL_STATES) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(allowed.has(`${from}>${to}`));
      }
    }
  });
  it("never leaves a terminal state and names the illegal change", () => {
    for (const state of [SUCCEEDED, FAILED, CANCELLED]) {
      expect(isTerminal(state)).toBe(true);
      expect(() => assertTransition("job-1", state, QUEUED)).toThrow(IllegalTransitionError);
    }
    expect(() => assertTransition("job-1", SUCCEEDED, RUNNING)).toThrow("job job-1 cannot go from SUCCEEDED to RUNNING.");
  });
});
