import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { scoresOf } from "./demo.js";
import { cliErrorOf, connect, loopbackServerName } from "./job-client.js";
import { filterOf } from "./jobs.js";
import { whereCondition } from "./submit.js";

describe("client command helpers", () => {
  it("checks --where in the synth --where language before anything is sent", () => {
    expect(whereCondition("sex=Female,age>40")).toBe("sex=Female,age>40");
    expect(whereCondition('island="Biscoe, North",species!=Adelie')).toBe('island="Biscoe, North",species!=Adelie');
    expect(() => whereCondition("age>>40")).toThrow(/--where:/);
    expect(() => whereCondition("")).toThrow(CliError);
  });

  it("builds ListJobs filters from flags and names bad values", () => {
    expect(filterOf(undefined, undefined)).toBe("");
    expect(filterOf("running", undefined)).toBe("state = RUNNING");
    expect(filterOf("queued,leased", "synthesis")).toBe("state = (QUEUED OR LEASED) AND kind = SYNTHESIS");
    expect(() => filterOf("sleeping", undefined)).toThrow(/--state "sleeping" is not a job state/);
    expect(() => filterOf(undefined, "train")).toThrow(/--kind "train"/);
  });

  it("maps gRPC statuses to one-line errors with distinct exit codes", () => {
    const error = (code: number, details: string) => Object.assign(new Error(details), { code, details });
    const unavailable = cliErrorOf(error(grpc.status.UNAVAILABLE, "connect ECONNREFUSED"), "127.0.0.1:1") as CliError;
    expect(unavailable.exitCode).toBe(5);
    expect(unavailable.message).toMatch(/cannot reach the coordinator at 127.0.0.1:1/);
    expect((cliErrorOf(error(grpc.status.NOT_FOUND, "no job x"), "a:1") as CliError).exitCode).toBe(4);
    expect((cliErrorOf(error(grpc.status.PERMISSION_DENIED, "no"), "a:1") as CliError).exitCode).toBe(3);
    expect((cliErrorOf(error(grpc.status.FAILED_PRECONDITION, "done"), "a:1") as CliError).exitCode).toBe(2);
    const plain = new Error("disk full");
    expect(cliErrorOf(plain, "a:1")).toBe(plain);
  });

  it("validates connection settings before dialing", () => {
    expect(() => connect({ coordinator: "nonsense" }, {})).toThrow(/--coordinator \(or DATALAB_COORDINATOR\) must be host:port/);
    expect(() => connect({ coordinator: "127.0.0.1:7443", insecure: true }, {})).toThrow(/no API token/);
    expect(() => connect({ coordinator: "10.1.2.3:7443", insecure: true, token: "t" }, {})).toThrow(/only allowed for a loopback/);
    expect(() => connect({ coordinator: "127.0.0.1:7443", token: "t" }, {})).toThrow(/no CA to verify the coordinator/);
    const ok = connect({ coordinator: "127.0.0.1:7443", insecure: true }, { DATALAB_TOKEN: "alice" });
    ok.close();
    expect(loopbackServerName("127.0.0.1:7443")).toBe("localhost");
    expect(loopbackServerName("10.0.0.1:7443")).toBeUndefined();
  });

  it("reads the scores from a job summary", () => {
    expect(scoresOf(JSON.stringify({ rows: 5, quality: { score: 0.9, columnShapes: 0.95, detail: { x: 1 } } }))).toEqual({
      score: 0.9,
      columnShapes: 0.95,
      "detail.x": 1,
    });
    expect(scoresOf("not json")).toEqual({});
  });
});
