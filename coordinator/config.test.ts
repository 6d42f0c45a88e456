import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCertificates } from "./certs.js";
import { ConfigError, resolveCoordinatorConfig } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "datalab-config-"));
const tlsDir = join(dir, "certs");
beforeAll(async () => {
  await issueCertificates({ outDir: tlsDir, nodes: [], clients: ["alice"] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveCoordinatorConfig", () => {
  it("takes flags over environment over defaults", () => {
    const config = resolveCoordinatorConfig(
      { "tls-dir": tlsDir, "lease-seconds": "45" },
      { DATALAB_LEASE_SECONDS: "60", DATALAB_MAX_ATTEMPTS: "5", DATALAB_LISTEN: "127.0.0.1:0" },
      "1.0",
    );
    expect(config.leaseSeconds).toBe(45);
    expect(config.maxAttempts).toBe(5);
    expect(config.listenPort).toBe(0);
    expect(config.metricsPort).toBe(9464);
    expect(config.sqliteSynchronous).toBe("FULL");
    expect(config.resultRetentionDays).toBe(0);
    expect(resolveCoordinatorConfig({ "tls-dir": tlsDir }, { DATALAB_RESULT_RETENTION_DAYS: "0.5" }, "1.0").resultRetentionDays).toBe(0.5);
    expect(resolveCoordinatorConfig({ insecure: true, "metrics-listen": "none", listen: "[::1]:7000" }, {}, "1.0")).toMatchObject({
      insecure: true,
      metricsPort: undefined,
      listenHost: "::1",
    });
  });

  it("names the bad setting, its variable and the rule", () => {
    const cases: [Record<string, string | boolean>, Record<string, string>, RegExp][] = [
      [{ "tls-dir": tlsDir }, { DATALAB_LEASE_SECONDS: "soon" }, /--lease-seconds \(DATALAB_LEASE_SECONDS\) must be a whole number from 2 to 3600, got "soon"/],
      [{ "tls-dir": tlsDir, listen: "7443" }, {}, /--listen \(DATALAB_LISTEN\) must be host:port/],
      [{ insecure: true, listen: "0.0.0.0:7443" }, {}, /allowed only on a loopback address/],
      [{}, { DATALAB_INSECURE: "maybe" }, /--insecure \(DATALAB_INSECURE\) must be true or false/],
      [{}, {}, /--tls-dir \(DATALAB_TLS_DIR\) is required/],
      [{ "tls-dir": join(dir, "nowhere") }, {}, /CA certificate .* does not exist/],
      [{ "tls-dir": tlsDir, "sqlite-synchronous": "OFF" }, {}, /must be FULL or NORMAL/],
      [{ "tls-dir": tlsDir, "heartbeat-interval-seconds": "0" }, {}, /--heartbeat-interval-seconds .* from 1 to 60/],
      [
        { "tls-dir": tlsDir },
        { DATALAB_RESULT_RETENTION_DAYS: "-1" },
        /--result-retention-days \(DATALAB_RESULT_RETENTION_DAYS\) must be a number of days from 0/,
      ],
    ];
    for (const [flags, env, message] of cases) {
      expect(() => resolveCoordinatorConfig(flags, env, "1.0"), String(message)).toThrow(ConfigError);
      expect(() => resolveCoordinatorConfig(flags, env, "1.0")).toThrow(message);
    }
  });
});
