/**
 * `datalab export <model.json> --onnx gen.onnx` — writes a CTGAN generator or TVAE decoder as an
 * ONNX model (noise and conditional vector in, activated columns out), for onnxruntime and other
 * ONNX runtimes. Only parses flags and prints: the work is generators' `exportNeuralOnnx`.
 */
import { extname } from "node:path";
import { exportNeuralOnnx, isNeuralModel, loadSynthModel, ModelFileError } from "../generators/index.js";
import { CliError } from "./cli-error.js";
import { parseFlags } from "./parse-flags.js";

export const usage = [
  "usage: datalab export <model.json> --onnx gen.onnx [--json]",
  "",
  "Writes the generator of a CTGAN or TVAE model file (from `datalab synth --model ctgan|tvae",
  "--model-out m.json`) as an ONNX model: inputs `noise` (rows × 128, standard normal) and, for",
  "CTGAN, `cond` (the conditional vector); output `columns` with tanh on each normalised value and",
  "softmax over each mode or category span. generators/README.md says how to decode it.",
  "",
  "  --onnx PATH   the ONNX file to write (written completely or not at all)",
  "  --json        print a machine-readable JSON summary on stdout",
].join("\n");

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    "export",
    argv,
    { onnx: { type: "string" }, json: { type: "boolean" } },
    { min: 1, max: 1, names: "one model file" },
  );
  const modelPath = positionals[0]!;
  const onnxPath = values.onnx;
  if (onnxPath === undefined) throw new CliError("--onnx PATH is required: say where to write the ONNX model.");
  if (extname(onnxPath).toLowerCase() !== ".onnx") throw new CliError(`--onnx "${onnxPath}" should end in .onnx.`);
  let model: Awaited<ReturnType<typeof loadSynthModel>>;
  try {
    model = await loadSynthModel(modelPath);
  } catch (error) {
    if (error instanceof ModelFileError) throw new CliError(error.message, { cause: error });
    throw error;
  }
  if (!isNeuralModel(model)) {
    throw new CliError(
      `${modelPath} holds a ${model.generator} model, which has no network to export; fit one with \`datalab synth <data> --model ctgan --model-out m.json\`.`,
    );
  }
  const result = await exportNeuralOnnx(model, onnxPath);
  const summary = {
    model: modelPath,
    generator: model.generator,
    onnx: onnxPath,
    inputs: result.inputs,
    output: { name: "columns", width: result.outputWidth },
  };
  if (values.json === true) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const inputs = result.inputs.map((i) => `${i.name} (rows × ${i.width})`).join(", ");
    process.stdout.write(`${model.generator} generator → ${onnxPath}: inputs ${inputs}; output columns (rows × ${result.outputWidth})\n`);
  }
  return 0;
}
