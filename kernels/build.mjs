#!/usr/bin/env node
// Builds the native kernels into kernels/build/ (run by `npm run build:kernels`, inside
// `npm install`'s prepare). Plain compiler calls, no CMake: two small libraries do not need a
// generator, and every flag stays visible here.
//   libdatalab_kernels_cpu.so   g++ (always attempted)
//   libdatalab_kernels_cuda.so  nvcc (when nvcc exists; DATALAB_SKIP_CUDA=1 skips it)
// Never fails the install: a missing compiler or a failed build is printed and recorded in
// kernels/build/build-report.json, which the TS facade reads to explain what is missing.
// Rebuilds a library only when one of its sources is newer than it (FORCE=1 rebuilds).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = path.dirname(fileURLToPath(import.meta.url));
// DATALAB_KERNELS_BUILD_DIR: build elsewhere (the tests build into a temporary folder).
const buildDir = process.env["DATALAB_KERNELS_BUILD_DIR"] ?? path.join(root, "build");
const objDir = path.join(buildDir, "obj");
mkdirSync(objDir, { recursive: true });

const list = (dir, ext) =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(root, dir, f));
const headers = [...list("include", ".h"), ...list("common", ".hpp"), ...list("cpu", ".hpp")];
const commonSources = list("common", ".cpp");
const cpuSources = list("cpu", ".cpp");
const cudaSources = list("cuda", ".cu");
const cudaHeaders = list("cuda", ".cuh");

// x86-64-v3 (AVX2 + FMA, 2013+) is the portable baseline; override for other machines.
const march = process.env["DATALAB_CPU_MARCH"] ?? (process.arch === "x64" ? "x86-64-v3" : "native");
// glibc's vector math (libmvec) vectorizes the Box–Muller transcendentals on x86-64 Linux.
const libmvec = process.arch === "x64" && ["/lib/x86_64-linux-gnu/libmvec.so.1", "/usr/lib64/libmvec.so.1", "/lib64/libmvec.so.1"].some((f) => existsSync(f));
const cxxFlags = [
  "-O3",
  "-std=c++17",
  "-fPIC",
  "-fopenmp",
  "-fvisibility=hidden",
  `-march=${march}`,
  "-Wall",
  "-Wextra",
  ...(libmvec ? ["-DDL_USE_LIBMVEC"] : []),
];
// sm_80 (A100) and sm_90 (H100/H200) machine code plus compute_90 PTX for later GPUs; these are
// the flags measured to work in /work/shared/GPU-FACTS.md.
const gencode = ["-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=[sm_90,compute_90]"];

const report = { builtAt: new Date().toISOString(), cpu: { built: false, reason: "" }, cuda: { built: false, reason: "" } };

async function which(tool) {
  try {
    const { stdout } = await run(tool, ["--version"]);
    const lines = stdout.split("\n").filter((l) => l.trim() !== "");
    return (lines.find((l) => /release \d/.test(l)) ?? lines[0] ?? tool).trim();
  } catch {
    return null;
  }
}

function upToDate(target, sources) {
  if (process.env["FORCE"] === "1" || !existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return sources.every((s) => statSync(s).mtimeMs < built);
}

// Runs jobs with at most `limit` at a time (2-core machines share the CPU).
async function pool(jobs, limit) {
  const results = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, jobs.length) }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      results.push(await job());
    }
  });
  await Promise.all(workers);
  return results;
}

function objectFor(src, tag) {
  return path.join(objDir, `${tag}-${path.basename(src).replace(/\.(cpp|cu)$/, ".o")}`);
}

async function compile(tool, args, what) {
  try {
    await run(tool, args, { maxBuffer: 64 << 20 });
  } catch (error) {
    const detail = `${error.stderr ?? ""}${error.stdout ?? ""}`.trim().split("\n").slice(0, 20).join("\n");
    throw new Error(`${what} failed:\n${detail}`);
  }
}

// Link into a temporary name and rename, so a failed link never leaves a broken library.
async function link(tool, args, target) {
  const tmp = `${target}.tmp-${process.pid}`;
  await compile(tool, [...args, "-o", tmp], `linking ${path.basename(target)}`);
  renameSync(tmp, target);
}

const jobsLimit = Math.max(1, Math.min(os.cpus().length, 4));

async function buildCpu() {
  const target = path.join(buildDir, "libdatalab_kernels_cpu.so");
  const gxx = await which("g++");
  if (gxx === null) {
    report.cpu.reason = "g++ not found: install a C++ compiler (g++ 9 or later) and run npm run build:kernels";
    return;
  }
  if (upToDate(target, [...commonSources, ...cpuSources, ...headers])) {
    report.cpu = { built: true, reason: "up to date", path: target };
    return;
  }
  const sources = [...commonSources, ...cpuSources];
  await pool(
    sources.map((src) => () => compile("g++", [...cxxFlags, "-c", src, "-o", objectFor(src, "cpu")], `g++ ${path.basename(src)}`)),
    jobsLimit,
  );
  // -z nodelete: never unmapped, so neither is libgomp, whose idle worker threads would otherwise
  // crash the process at exit when koffi unloads the library.
  await link(
    "g++",
    ["-shared", "-fopenmp", "-Wl,-rpath,$ORIGIN", "-Wl,-z,nodelete", ...sources.map((s) => objectFor(s, "cpu")), ...(libmvec ? ["-lmvec"] : [])],
    target,
  );
  report.cpu = { built: true, reason: `built with ${gxx} -march=${march}${libmvec ? " +libmvec" : ""}`, path: target };
}

async function buildCuda() {
  const target = path.join(buildDir, "libdatalab_kernels_cuda.so");
  if (process.env["DATALAB_SKIP_CUDA"] === "1") {
    report.cuda.reason = "skipped: DATALAB_SKIP_CUDA=1";
    return;
  }
  const nvcc = await which("nvcc");
  if (nvcc === null) {
    report.cuda.reason = "nvcc not found: the CUDA library is optional; install the CUDA toolkit and run npm run build:kernels to build it";
    return;
  }
  if (cudaSources.length === 0) {
    report.cuda.reason = "no .cu sources";
    return;
  }
  if (upToDate(target, [...commonSources, ...cudaSources, ...cudaHeaders, ...headers])) {
    report.cuda = { built: true, reason: "up to date", path: target };
    return;
  }
  const nvccFlags = ["-O3", "-std=c++17", "-Xcompiler", "-fPIC,-fopenmp,-fvisibility=hidden", ...gencode];
  await pool(
    [
      ...commonSources.map((src) => () => compile("g++", [...cxxFlags, "-c", src, "-o", objectFor(src, "cuda")], `g++ ${path.basename(src)}`)),
      ...cudaSources.map((src) => () => compile("nvcc", [...nvccFlags, "-c", src, "-o", objectFor(src, "cuda")], `nvcc ${path.basename(src)}`)),
    ],
    jobsLimit,
  );
  const objects = [...commonSources, ...cudaSources].map((s) => objectFor(s, "cuda"));
  await link(
    "nvcc",
    ["-shared", "-cudart", "static", ...gencode, "-Xcompiler", "-fopenmp", "-Xlinker", "-rpath,$ORIGIN", "-Xlinker", "-z,nodelete", ...objects, "-ldl"],
    target,
  );
  report.cuda = { built: true, reason: `built with ${nvcc.trim()}`, path: target };
}

const started = performance.now();
for (const [name, step] of [
  ["cpu", buildCpu],
  ["cuda", buildCuda],
]) {
  try {
    await step();
  } catch (error) {
    report[name].built = false;
    report[name].reason = error instanceof Error ? error.message : String(error);
  }
  const entry = report[name];
  process.stdout.write(`kernels: ${name} library ${entry.built ? "ok" : "NOT BUILT"}: ${entry.reason.split("\n")[0]}\n`);
  if (!entry.built && entry.reason.includes("\n")) process.stdout.write(`${entry.reason}\n`);
}
const tmp = path.join(buildDir, `build-report.json.tmp-${process.pid}`);
writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
renameSync(tmp, path.join(buildDir, "build-report.json"));
process.stdout.write(`kernels: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
