#!/usr/bin/env bash
# Fills the git-ignored .gpu/ folder at the repository root with everything the GPU check needs
# on a machine that has only a driver: the node binary (xz), the built libraries (+ libgomp),
# the compiled JS of the check and the facade, and koffi (the one package it imports).
# Run on the build machine:   bash kernels/gpu-check/prepare.sh
# Run on the GPU machine:     xz -dc .gpu/node.xz > .gpu/node && chmod +x .gpu/node && .gpu/node .gpu/check.js
#                             DATALAB_DEVICE=cuda .gpu/node .gpu/ctgan-adult-run.js   (CTGAN on Adult, 300 epochs)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/.gpu"

node kernels/build.mjs
for lib in cpu cuda; do
  if [ ! -f "kernels/build/libdatalab_kernels_${lib}.so" ]; then
    echo "prepare: kernels/build/libdatalab_kernels_${lib}.so is missing (see the build output above)" >&2
    exit 1
  fi
done

rm -rf "$out"
mkdir -p "$out/kernels/build" "$out/node_modules/@koromix"

# Only the kernels part and its check, compiled with the project's strictness.
# ctgan-adult-run.ts (the full CTGAN run on Adult) brings generators/, tabular/ and the scorer.
npx tsc --outDir "$out" --rootDir . --module nodenext --moduleResolution nodenext --target es2022 \
  --strict --skipLibCheck --types node kernels/gpu-check/check.ts kernels/gpu-check/ctgan-adult-run.ts
echo '{ "type": "module" }' > "$out/package.json"
echo 'import "./kernels/gpu-check/check.js";' > "$out/check.js"
echo 'import "./kernels/gpu-check/ctgan-adult-run.js";' > "$out/ctgan-adult-run.js"
mkdir -p "$out/fixtures/adult"
cp fixtures/adult/adult.csv "$out/fixtures/adult/"

cp kernels/build/libdatalab_kernels_cpu.so kernels/build/libdatalab_kernels_cuda.so "$out/kernels/build/"
# The libraries carry rpath $ORIGIN, so a libgomp next to them is used when the machine lacks one.
cp "$(g++ -print-file-name=libgomp.so.1)" "$out/kernels/build/"

cp -r node_modules/koffi "$out/node_modules/koffi"
rm -rf "$out/node_modules/koffi/vendor" "$out/node_modules/koffi/doc"
cp -r node_modules/@koromix/koffi-linux-x64 "$out/node_modules/@koromix/"
# The packages the CTGAN run imports: DuckDB (reads the CSV; its linux-x64 binary ~68 MB),
# protobufjs (+ long), the @stdlib special functions of the scorer.
mkdir -p "$out/node_modules/@duckdb"
for package in @duckdb/node-api @duckdb/node-bindings @duckdb/node-bindings-linux-x64 protobufjs @protobufjs long @stdlib; do
  cp -r "node_modules/$package" "$out/node_modules/$package"
done

# Compressing node takes minutes on 2 cores: keep one copy per node version in kernels/build.
node_xz="kernels/build/node-$(node --version).xz"
if [ ! -f "$node_xz" ]; then
  xz -T2 -c "$(command -v node)" > "$node_xz.tmp" && mv "$node_xz.tmp" "$node_xz"
fi
cp "$node_xz" "$out/node.xz"
du -sh "$out"
echo "prepare: .gpu/ is ready; on the GPU machine run:"
echo "  xz -dc .gpu/node.xz > .gpu/node && chmod +x .gpu/node && .gpu/node .gpu/check.js"
echo "  DATALAB_DEVICE=cuda .gpu/node .gpu/ctgan-adult-run.js   # full CTGAN run on Adult, 300 epochs, 1M rows"
