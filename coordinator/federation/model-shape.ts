/**
 * The federated model's input and output widths, from the holders' shared schema with
 * tabular/'s feature encoding (the same plan every holder encodes its rows with). Holders of one
 * dataset must declare the same schema: one that differs would train a different model.
 */
import { planFeatures, validateSchema } from "../../tabular/index.js";
import type { HeldDatasetOut } from "../../proto/index.js";
import { FailedPreconditionError } from "../errors.js";
import type { FederatedSettings } from "./federated-spec.js";
import type { ModelShape } from "./model-layout.js";

export function modelShapeOf(settings: FederatedSettings, datasets: readonly HeldDatasetOut[]): ModelShape {
  const first = datasets[0];
  if (!first) throw new FailedPreconditionError(`no holder has registered dataset "${settings.datasetId}"`);
  const differing = datasets.filter((d) => d.schemaJson !== first.schemaJson);
  if (differing.length > 0) {
    throw new FailedPreconditionError(
      `holders of dataset "${settings.datasetId}" registered ${differing.length + 1} different schemas; every holder must declare the same shared schema (categories and ranges included).`,
    );
  }
  let plan: ReturnType<typeof planFeatures>;
  try {
    plan = planFeatures(validateSchema(JSON.parse(first.schemaJson), `schema of dataset "${settings.datasetId}"`), { target: settings.targetColumn });
  } catch (error) {
    throw new FailedPreconditionError(
      `the shared schema of dataset "${settings.datasetId}" cannot encode target "${settings.targetColumn}": ${(error as Error).message}`,
    );
  }
  const outputDimension = plan.target.kind === "classes" ? plan.target.classes.length : 1;
  if (settings.task === "classification" && plan.target.kind !== "classes") {
    throw new FailedPreconditionError(`target "${settings.targetColumn}" is numerical in the shared schema; use task "regression" or a categorical target.`);
  }
  if (settings.task === "regression" && plan.target.kind === "classes") {
    throw new FailedPreconditionError(`target "${settings.targetColumn}" is categorical in the shared schema; use task "classification".`);
  }
  return { inputDimension: plan.width, hiddenLayerSizes: [...settings.hiddenLayerSizes], outputDimension };
}
