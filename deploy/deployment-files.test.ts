/**
 * Every command line in every deployment file (Kubernetes manifests, Slurm scripts, the Docker
 * and Apptainer recipes) is checked with the CLI's own flag parser, and every DATALAB_ variable
 * they set must be one the command reads: a renamed or removed flag breaks this test, not a
 * site's deployment. Plus the structure operators rely on (GPU requests, probes, volumes).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { checkCommandLine } from "../cli/main.js";
import { COORDINATOR_SETTINGS } from "../coordinator/index.js";
import { nodeEnvNames, resolveNodeConfig } from "../trainer/node-config.js";

const here = import.meta.dirname;
const repo = join(here, "..");

/** Variables read by the CLI besides the per-flag ones (documented in README.md and --help). */
const otherCliVariables = new Set([
  "DATALAB_MAX_TASKS",
  "DATALAB_DEVICE",
  "DATALAB_NVML_LIBRARY",
  "DATALAB_KERNELS_DIR",
  "DATALAB_CA",
  "DATALAB_TOKEN",
  "DATALAB_CLIENT",
  "DATALAB_INSECURE",
]);
const cliVariables = new Set([...Object.values(COORDINATOR_SETTINGS).map((s) => s.env), ...Object.values(nodeEnvNames), ...otherCliVariables]);

/** `datalab` argv (after the program) from a container's command/args. */
function datalabArgv(container: { command?: string[]; args?: string[] }): string[] {
  const line = [...(container.command ?? []), ...(container.args ?? [])];
  const program = line.findIndex((word) => word.endsWith("datalab.js") || word === "datalab");
  return program >= 0 ? line.slice(program + 1) : line;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { exec?: { command: string[] } };
  livenessProbe?: { exec?: { command: string[] }; httpGet?: unknown };
  startupProbe?: { exec?: { command: string[] } };
  resources?: { limits?: Record<string, unknown> };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: {
    template?: { spec: { containers: Container[] } };
    volumeClaimTemplates?: unknown[];
    ports?: { name: string; targetPort: string }[];
    selector?: unknown;
  };
}

function manifests(): { file: string; doc: Manifest }[] {
  const dir = join(here, "kubernetes");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((document) => {
        expect(document.errors, file).toEqual([]);
        return { file, doc: document.toJS() as Manifest };
      }),
    );
}

async function expectValidNodeLine(argv: string[], env: NodeJS.ProcessEnv, where: string): Promise<void> {
  const parsed = await checkCommandLine(argv).catch((error: unknown) => {
    throw new Error(`${where}: \`datalab ${argv.join(" ")}\` is refused: ${String(error)}`);
  });
  if (parsed.command === "node") resolveNodeConfig(parsed.values as Parameters<typeof resolveNodeConfig>[0], env, 8);
}

/** Words of a shell line, with quotes removed and $VARS / ${VAR…} replaced by `placeholder`. */
function shellWords(line: string, placeholder: (name: string) => string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const raw = match[1] ?? match[2] ?? match[3] ?? "";
    if (match[3] !== undefined && /^(&|&&|;|\||\|\||[0-9]*>.*)$/.test(raw)) break; // the command ends at a shell operator
    words.push(
      raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_all, braced?: string, bare?: string) =>
        placeholder(braced ?? bare ?? ""),
      ),
    );
  }
  return words;
}

describe("deploy/kubernetes", () => {
  it("parses as YAML, and every datalab command line and variable is one the CLI accepts", async () => {
    const workloads = manifests().filter(({ doc }) => doc.kind === "StatefulSet");
    expect(workloads.map(({ doc }) => doc.metadata.name).sort()).toEqual(["datalab-coordinator", "datalab-node"]);
    for (const { file, doc } of workloads) {
      for (const container of doc.spec.template!.spec.containers) {
        const env: NodeJS.ProcessEnv = Object.fromEntries((container.env ?? []).map((v) => [v.name, v.value ?? `${doc.metadata.name}-0`]));
        for (const name of Object.keys(env).filter((n) => n.startsWith("DATALAB_"))) expect(cliVariables, `${file}: ${name}`).toContain(name);
        await expectValidNodeLine(datalabArgv(container), env, `${file} ${container.name}`);
        for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
          if (probe?.exec) await expectValidNodeLine(datalabArgv({ command: probe.exec.command }), env, `${file} probe`);
        }
      }
    }
  });

  it("gives the coordinator a volume and gRPC health probes, and each node a GPU", () => {
    const all = manifests().map(({ doc }) => doc);
    const coordinator = all.find((d) => d.kind === "StatefulSet" && d.metadata.name === "datalab-coordinator")!;
    expect(coordinator.spec.volumeClaimTemplates?.length).toBe(1);
    const coordinatorContainer = coordinator.spec.template!.spec.containers[0]!;
    for (const probe of [coordinatorContainer.readinessProbe, coordinatorContainer.livenessProbe, coordinatorContainer.startupProbe]) {
      expect(datalabArgv({ command: probe?.exec?.command ?? [] })[0]).toBe("health");
    }
    const node = all.find((d) => d.kind === "StatefulSet" && d.metadata.name === "datalab-node")!;
    expect(node.spec.template!.spec.containers[0]!.resources?.limits?.["nvidia.com/gpu"]).toBe(1);
    // Every Service port points at a named container port, and a ServiceMonitor scrapes each metrics port.
    const containerPorts = new Set(all.flatMap((d) => d.spec.template?.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)) ?? []));
    for (const service of all.filter((d) => d.kind === "Service")) {
      for (const port of service.spec.ports ?? []) expect(containerPorts, `${service.metadata.name}:${port.name}`).toContain(port.targetPort);
    }
    expect(
      all
        .filter((d) => d.kind === "ServiceMonitor")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["datalab-coordinator", "datalab-node"]);
  });
});

describe("deploy/slurm", () => {
  it("runs only datalab command lines the CLI accepts", async () => {
    const dir = join(here, "slurm");
    let checked = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sbatch"))) {
      const text = readFileSync(join(dir, file), "utf8").replace(/\\\n\s*/g, " ");
      for (const line of text.split("\n").filter((l) => /\$DATALAB_BIN \w/.test(l) && !l.trim().startsWith("#"))) {
        const words = shellWords(line.slice(line.indexOf("$DATALAB_BIN") + "$DATALAB_BIN".length), (name) =>
          name.includes("PORT") ? "9465" : name.includes("LISTEN") ? "0.0.0.0:7443" : `/x/${name}`,
        );
        await expectValidNodeLine(words, { DATALAB_COORDINATOR: "coord:7443", DATALAB_TLS_DIR: "/tls" }, `${file}: ${line.trim()}`);
        checked += 1;
      }
      for (const name of text.matchAll(/export (DATALAB_[A-Z_]+)=/g)) {
        // Variables the scripts export for datalab must be ones it reads (script-internal ones are not exported).
        if (!["DATALAB_BIN", "DATALAB_WORK_DIR_ROOT", "DATALAB_METRICS_BASE_PORT"].includes(name[1]!))
          expect(cliVariables, `${file}: ${name[1]}`).toContain(name[1]);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});

describe("containers", () => {
  it("keeps host builds out of the Docker image and builds the kernels inside it", () => {
    const ignored = readFileSync(join(repo, ".dockerignore"), "utf8").split("\n");
    for (const path of ["node_modules/", "dist/", "kernels/build/"]) expect(ignored).toContain(path);
    const dockerfile = readFileSync(join(repo, "Dockerfile.gpu"), "utf8");
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).not.toMatch(/COPY[^\n]*kernels\/build[^\n]*\.\/kernels\/build\n(?![\s\S]*--from=build)/);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
  });

  it("runs command lines the CLI accepts in the Docker and Apptainer recipes", async () => {
    const dockerfile = readFileSync(join(repo, "Dockerfile.gpu"), "utf8");
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    await expectValidNodeLine(cmd, { DATALAB_COORDINATOR: "coord:7443", DATALAB_TLS_DIR: "/tls" }, "Dockerfile.gpu CMD");
    const usage = /^#\s+docker run [^\n]*datalab-gpu (.*)$/m.exec(dockerfile);
    await expectValidNodeLine(usage![1]!.split(" "), {}, "Dockerfile.gpu usage comment");
    const recipe = readFileSync(join(here, "apptainer", "datalab.def"), "utf8");
    expect(recipe).toMatch(/^Bootstrap: docker-daemon\nFrom: datalab-gpu:/m);
    for (const example of recipe.matchAll(/^#\s+apptainer run --nv datalab\.sif (.*)$/gm)) {
      await expectValidNodeLine(example[1]!.split(" "), {}, `datalab.def: ${example[0]}`);
    }
  });
});
