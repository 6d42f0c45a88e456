import { describe, expect, it } from "vitest";
import { restartGraceSeconds, tunables } from "../proto/index.js";
import { NodeConfigError, parseHostPort, resolveNodeConfig } from "./node-config.js";

describe("resolveNodeConfig", () => {
  it("takes flags over environment and environment over defaults", () => {
    const config = resolveNodeConfig(
      { coordinator: "127.0.0.1:7443", "node-id": "gpu-a" },
      { DATALAB_NODE_ID: "ignored", DATALAB_TLS_DIR: "/tmp/certs", DATALAB_METRICS_LISTEN: "127.0.0.1:0", DATALAB_CPU_CORES: "3" },
      8,
    );
    expect(config.nodeId).toBe("gpu-a");
    expect(config.tlsDir).toBe("/tmp/certs");
    expect(config.metricsListen).toEqual({ host: "127.0.0.1", port: 0 });
    expect(config.cpuCores).toBe(3);
    expect(config.insecure).toBe(false);
    expect(config.inputCacheBytes).toBe(10_240 * 1024 * 1024);
    expect(resolveNodeConfig({ coordinator: "127.0.0.1:7443", "input-cache-mib": "64" }, { DATALAB_TLS_DIR: "/tmp/certs" }, 2).inputCacheBytes).toBe(
      64 * 1024 * 1024,
    );
  });

  it("caps the reconnect backoff where the coordinator's restart grace expects it", () => {
    const config = resolveNodeConfig({ coordinator: "127.0.0.1:7443", insecure: true }, {}, 4);
    expect(config.reconnectCapMs).toBe(tunables.nodeReconnectCapSeconds * 1000);
    // A node at its longest backoff wait still registers within the grace (one heartbeat to spare).
    expect(config.reconnectCapMs / 1000 + tunables.heartbeatIntervalSeconds).toBeLessThanOrEqual(restartGraceSeconds(tunables.heartbeatIntervalSeconds));
  });

  it("names the bad setting and its variable", () => {
    expect(() => resolveNodeConfig({}, {}, 2)).toThrow(/--coordinator \(or DATALAB_COORDINATOR\) is required/);
    expect(() => resolveNodeConfig({ coordinator: "nohost" }, {}, 2)).toThrow(/--coordinator.*host:port.*"nohost"/);
    expect(() => resolveNodeConfig({ coordinator: "127.0.0.1:7443" }, {}, 2)).toThrow(/--tls-dir .*required/);
    expect(() => resolveNodeConfig({ coordinator: "10.0.0.5:7443", insecure: true }, {}, 2)).toThrow(/only allowed for a loopback/);
    expect(() => resolveNodeConfig({ coordinator: "127.0.0.1:7443", insecure: true, "node-id": "../x" }, {}, 2)).toThrow(NodeConfigError);
    expect(() => resolveNodeConfig({ coordinator: "127.0.0.1:7443", insecure: true }, { DATALAB_CPU_CORES: "1.5" }, 2)).toThrow(
      /DATALAB_CPU_CORES.*whole number/,
    );
    expect(() => resolveNodeConfig({ coordinator: "127.0.0.1:7443" }, { DATALAB_INSECURE: "maybe" }, 2)).toThrow(/DATALAB_INSECURE.*true or false/);
    expect(() => resolveNodeConfig({ coordinator: "127.0.0.1:7443", insecure: true }, { DATALAB_INPUT_CACHE_MIB: "-1" }, 2)).toThrow(
      /DATALAB_INPUT_CACHE_MIB.*whole number/,
    );
  });

  it("allows insecure only to loopback", () => {
    const config = resolveNodeConfig({ coordinator: "localhost:7443" }, { DATALAB_INSECURE: "1" }, 2);
    expect(config.insecure).toBe(true);
    expect(config.tlsDir).toBeUndefined();
  });
});

describe("parseHostPort", () => {
  it("parses IPv4, names and bracketed IPv6", () => {
    expect(parseHostPort("x", "127.0.0.1:80", false)).toEqual({ host: "127.0.0.1", port: 80 });
    expect(parseHostPort("x", "[::1]:9464", false)).toEqual({ host: "::1", port: 9464 });
    expect(() => parseHostPort("x", "127.0.0.1:0", false)).toThrow(/host:port/);
    expect(() => parseHostPort("x", "127.0.0.1:70000", true)).toThrow(/host:port/);
  });
});
