/**
 * The plain-language verdict. It combines Column Shapes, the ALL-pairs view of trends (how much
 * of the real table's column-to-column dependence the synthetic table keeps), the usefulness
 * ratio and the privacy metrics — never the threshold-filtered SDMetrics quality score alone,
 * which ranks a table with independently shuffled columns above real synthesizers.
 *
 * Fidelity score = geometric mean of Column Shapes, the all-pairs trend score, the association
 * retained and (when measured) the usefulness ratio capped at 1: a table that is good at shapes
 * but keeps no dependence cannot average its way to a good grade.
 */

export interface VerdictInput {
  columnShapes: number;
  allPairsTrends: number;
  sdmetricsQuality: number;
  sdmetricsPairTrends: number;
  pairsMeetingThreshold: number;
  pairCount: number;
  /** Σ min(s_R, s_S) / Σ s_R over all pairs, s = |ρ| or bias-corrected Cramér's V. */
  associationRetained: number;
  usefulnessRatio?: number;
  usefulnessTarget?: string;
  usefulnessMetric?: "f1" | "r2";
  dcrBaselineProtection?: number;
  dcrOverfittingProtection?: number;
  newRowSynthesis?: number;
  membershipAuc?: number;
  disclosureProtection?: number;
}

export type Grade = "good" | "fair" | "poor" | "unusable";

export interface Verdict {
  grade: Grade;
  /** The fidelity score the grade is cut from, in [0, 1]. */
  score: number;
  privacyConcerns: number;
  /** Machine-readable findings (`pair-trends-not-preserved`, `copies-real-rows`, …). */
  flags: string[];
  text: string;
}

// A metric that could not be computed (NaN: e.g. a table without the variation it needs) reads "n/a".
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "n/a");
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");

export function gradeOf(score: number): Grade {
  if (score >= 0.8) return "good";
  if (score >= 0.65) return "fair";
  if (score >= 0.5) return "poor";
  return "unusable";
}

function geometricMean(values: number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v)).map((v) => Math.max(v, 1e-3));
  if (defined.length === 0) return Number.NaN;
  return Math.exp(defined.reduce((s, v) => s + Math.log(v), 0) / defined.length);
}

export function verdict(input: VerdictInput): Verdict {
  const flags: string[] = [];
  const sentences: string[] = [];
  const parts = [input.columnShapes, input.allPairsTrends, input.associationRetained];
  if (input.usefulnessRatio !== undefined && !Number.isNaN(input.usefulnessRatio)) parts.push(Math.min(1, input.usefulnessRatio));
  const score = geometricMean(parts);
  const grade = gradeOf(score);

  if (input.columnShapes >= 0.9) sentences.push(`Each column's distribution is well kept (Column Shapes ${fmt(input.columnShapes)}).`);
  else if (input.columnShapes >= 0.75) sentences.push(`Column distributions are roughly kept (Column Shapes ${fmt(input.columnShapes)}).`);
  else {
    flags.push("column-shapes-poor");
    sentences.push(`Column distributions differ clearly from the real ones (Column Shapes ${fmt(input.columnShapes)}).`);
  }

  const trendDetail = `it keeps ${pct(input.associationRetained)} of the strength of the real table's column-to-column associations (all-pairs trend score ${fmt(input.allPairsTrends)} over ${input.pairCount} pairs)`;
  if (Number.isNaN(input.associationRetained)) {
    flags.push("pair-trends-not-measured");
    sentences.push(`Pair trends could not be measured: the real table shows no column-to-column association to compare with (${input.pairCount} pairs).`);
  } else if (input.associationRetained < 0.35) {
    flags.push("pair-trends-not-preserved");
    let sentence = `Pair trends are not preserved: ${trendDetail}.`;
    if (input.sdmetricsQuality >= 0.75) {
      flags.push("sdmetrics-quality-misleading");
      sentence += ` The SDMetrics-style quality score of ${fmt(input.sdmetricsQuality)} does not show this, because it averages only the ${input.pairsMeetingThreshold} pairs with a strong real trend and its per-pair scores stay high for independent columns.`;
    }
    sentences.push(sentence);
  } else if (input.associationRetained < 0.65) {
    flags.push("pair-trends-partly-preserved");
    sentences.push(`Pair trends are only partly preserved: ${trendDetail}.`);
  } else sentences.push(`Pair trends are preserved: ${trendDetail}.`);

  if (input.usefulnessRatio !== undefined && !Number.isNaN(input.usefulnessRatio)) {
    const metric = input.usefulnessMetric === "r2" ? "R²" : "F1";
    const what = `models trained on it reach ${pct(input.usefulnessRatio)} of the ${metric} of models trained on real rows when predicting "${input.usefulnessTarget}"`;
    if (input.usefulnessRatio >= 0.9) sentences.push(`It is useful for machine learning: ${what}.`);
    else if (input.usefulnessRatio >= 0.7) sentences.push(`It is somewhat less useful for machine learning: ${what}.`);
    else {
      flags.push("low-usefulness");
      sentences.push(`It is much less useful for machine learning: ${what}.`);
    }
  }

  const concerns: string[] = [];
  if (input.newRowSynthesis !== undefined && input.newRowSynthesis < 0.99) {
    flags.push("copies-real-rows");
    concerns.push(`${pct(1 - input.newRowSynthesis)} of the synthetic rows copy a real row`);
  }
  if (input.dcrBaselineProtection !== undefined && input.dcrBaselineProtection < 0.2) {
    flags.push("close-to-real-rows");
    concerns.push(`synthetic rows sit much closer to real rows than random rows would (DCR baseline protection ${fmt(input.dcrBaselineProtection)})`);
  }
  if (input.dcrOverfittingProtection !== undefined && input.dcrOverfittingProtection < 0.5) {
    flags.push("overfits-training-rows");
    concerns.push(
      `synthetic rows are much closer to the training rows than to the holdout rows (DCR overfitting protection ${fmt(input.dcrOverfittingProtection)})`,
    );
  }
  if (input.membershipAuc !== undefined && input.membershipAuc > 0.6) {
    flags.push("membership-leak");
    concerns.push(`a distance attack tells training rows from holdout rows with ROC AUC ${fmt(input.membershipAuc)} (0.5 = no leak)`);
  }
  if (input.disclosureProtection !== undefined && input.disclosureProtection < 0.5) {
    flags.push("attribute-disclosure");
    concerns.push(`the sensitive columns can be guessed from the known ones (disclosure protection ${fmt(input.disclosureProtection)})`);
  }
  const measuredPrivacy = input.newRowSynthesis !== undefined || input.dcrBaselineProtection !== undefined;
  if (concerns.length > 0) sentences.push(`Privacy concerns: ${concerns.join("; ")}.`);
  else if (measuredPrivacy) sentences.push("No privacy concern was found by the distance, row-copy and attribute-disclosure checks run.");

  const text = Number.isNaN(score)
    ? `Overall not graded: the fidelity score could not be computed. ${sentences.join(" ")}`
    : `Overall ${grade} (fidelity score ${fmt(score)}). ${sentences.join(" ")}`;
  return { grade, score, privacyConcerns: concerns.length, flags, text };
}
