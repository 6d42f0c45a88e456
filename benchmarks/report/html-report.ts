/**
 * The self-contained HTML report: one file, inline CSS and SVG, no scripts or external resources.
 * Rendered from the JSON report alone, so a stored report can be re-rendered later.
 */
import type { ScoreReport } from "./score-tables.js";
import { escapeHtml, heatMap, histogramLabels, pairedBars, REAL_COLOR, SYNTHETIC_COLOR } from "./svg-charts.js";

// Not computed (NaN, ±Infinity, absent) reads "–", never "NaN".
const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits));

function row(cells: string[], header = false): string {
  const tag = header ? "th" : "td";
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;
}

function scoreTable(report: ScoreReport): string {
  const q = report.quality;
  const rows = [
    row(["Score", "Value", "What it means"], true),
    row(["Quality (SDMetrics 0.29)", fmt(q.score), "mean of Column Shapes and Column Pair Trends (pairs with a strong real trend only)"]),
    row(["Column Shapes", fmt(q.columnShapes), "KSComplement / TVComplement per column"]),
    row([
      "Column Pair Trends (SDMetrics)",
      fmt(q.columnPairTrends),
      `${q.pairsMeetingThreshold} of ${q.pairs.length} pairs meet |ρ| > 0.5 or Cramér's V > 0.3`,
    ]),
    row(["Column Pair Trends (all pairs)", fmt(q.allPairsTrends), "every pair, no threshold"]),
    row(["Association retained", fmt(q.associationRetained), "share of the real column-to-column dependence strength kept (0 for independent columns)"]),
    row([
      "Diagnostic",
      fmt(report.diagnostic.score),
      `Data Validity ${fmt(report.diagnostic.dataValidity)}, Data Structure ${fmt(report.diagnostic.dataStructure)}`,
    ]),
    row([
      "Rule breaks",
      `${fmt(report.rareCombinations.syntheticShare * 100, 2)}%`,
      `synthetic rows showing a pair of categories the real table (almost) never shows (real ${fmt(report.rareCombinations.realShare * 100, 2)}%)` +
        report.rareCombinations.combinations
          .filter((c) => c.syntheticRows > 0)
          .slice(0, 3)
          .map(
            (c) =>
              `; ${escapeHtml(`${c.columns[0]}=${c.values[0] ?? "(missing)"} with ${c.columns[1]}=${c.values[1] ?? "(missing)"}`)}: ${c.syntheticRows} rows`,
          )
          .join(""),
    ]),
  ];
  const p = report.privacy;
  if (p !== null) {
    rows.push(
      row([
        "DCR baseline protection",
        fmt(p.dcrBaselineProtection.score),
        `median DCR synthetic→real ${fmt(p.dcrBaselineProtection.medianDcrSyntheticToReal)} vs random→real ${fmt(p.dcrBaselineProtection.medianDcrRandomToReal)}`,
      ]),
    );
    if (p.dcrOverfittingProtection !== null) {
      rows.push(
        row([
          "DCR overfitting protection",
          fmt(p.dcrOverfittingProtection.score),
          `${fmt(p.dcrOverfittingProtection.closerToTraining * 100, 1)}% of synthetic rows closer to training than to holdout` +
            (p.dcrOverfittingProtection.trainingSubsampled
              ? ` (against a seeded sample of ${p.dcrOverfittingProtection.trainingRows} of ${p.dcrOverfittingProtection.trainingRowsTotal} training rows, the holdout's size; all training rows: ${fmt(p.dcrOverfittingProtection.fullTraining.score)})`
              : ""),
        ]),
      );
    }
    rows.push(
      row([
        "New row synthesis",
        fmt(p.newRowSynthesis.score),
        `${p.newRowSynthesis.matchedRows} synthetic rows match a real row (numbers within ${p.newRowSynthesis.tolerance * 100}%)`,
      ]),
    );
    rows.push(row(["NNDR (median)", fmt(p.nndr.median), `${fmt(p.nndr.shareBelowHalf * 100, 1)}% of synthetic rows have NNDR < 0.5`]));
    if (p.membershipInference !== null)
      rows.push(row(["Membership inference AUC", fmt(p.membershipInference.auc), "0.5 = members and non-members look alike"]));
    if (p.disclosureProtection !== null) {
      rows.push(
        row([
          "Categorical CAP",
          fmt(p.disclosureProtection.capProtection),
          `known ${escapeHtml(p.disclosureProtection.known.join(", "))}; sensitive ${escapeHtml(p.disclosureProtection.sensitive.join(", "))}`,
        ]),
      );
      rows.push(row(["Disclosure protection", fmt(p.disclosureProtection.score), `baseline ${fmt(p.disclosureProtection.baselineProtection)}`]));
    }
  }
  if (report.usefulness !== null)
    rows.push(
      row([
        "Usefulness ratio",
        fmt(report.usefulness.ratio),
        `TSTR / TRTR ${report.usefulness.primaryMetric === "r2" ? "R²" : "F1"}, target ${escapeHtml(report.usefulness.target)}`,
      ]),
    );
  return `<table>${rows.join("")}</table>`;
}

function distributionSection(report: ScoreReport): string {
  const shapeOf = new Map(report.quality.shapes.map((s) => [s.column, s]));
  const cards = report.distributions.map((d) => {
    const shape = shapeOf.get(d.column);
    const labels =
      d.kind === "numeric" ? histogramLabels(d.edges, d.type === "datetime" ? (x) => new Date(x).toISOString().slice(0, 10) : undefined) : d.labels;
    const chart = pairedBars(labels, d.real, d.synthetic, { rotateLabels: d.kind === "categorical" });
    const missing =
      d.realMissing > 0 || d.syntheticMissing > 0 ? ` · missing: real ${fmt(d.realMissing * 100, 1)}%, synthetic ${fmt(d.syntheticMissing * 100, 1)}%` : "";
    return `<div class="card"><h4>${escapeHtml(d.column)}</h4><p class="small">${shape ? `${shape.metric} ${fmt(shape.score)}` : ""}${missing}</p>${chart}</div>`;
  });
  return `<div class="grid">${cards.join("")}</div>`;
}

function matrices(report: ScoreReport): string {
  const names = report.tables.columns.filter((c) => c.type !== "id" && c.type !== "pii").map((c) => c.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const real = new Map<string, number | null>();
  const synthetic = new Map<string, number | null>();
  for (const p of report.quality.pairs) {
    const key = `${index.get(p.column1)},${index.get(p.column2)}`;
    real.set(key, p.metric === "CorrelationSimilarity" ? p.realCorrelation : p.realAssociation);
    synthetic.set(key, p.metric === "CorrelationSimilarity" ? p.syntheticCorrelation : p.syntheticAssociation);
  }
  const lookup = (m: Map<string, number | null>) => (i: number, j: number) => m.get(i < j ? `${i},${j}` : `${j},${i}`) ?? null;
  return `<p class="small">Pearson ρ for numeric pairs, Cramér's V for the others (continuous columns in 10 bins).</p><div class="grid2">${heatMap(names, lookup(real), "Real")}${heatMap(names, lookup(synthetic), "Synthetic")}</div>`;
}

function pairTable(report: ScoreReport): string {
  const rows = [row(["Column 1", "Column 2", "Metric", "Score", "Real ρ / V", "Synthetic ρ / V", "Counts in SDMetrics score"], true)];
  for (const p of report.quality.pairs) {
    const correlation = p.metric === "CorrelationSimilarity";
    rows.push(
      row([
        escapeHtml(p.column1),
        escapeHtml(p.column2),
        p.metric,
        fmt(p.score),
        fmt(correlation ? p.realCorrelation : p.realAssociation),
        fmt(correlation ? p.syntheticCorrelation : p.syntheticAssociation),
        p.meetsThreshold ? "yes" : "no",
      ]),
    );
  }
  return `<details><summary>All ${report.quality.pairs.length} pairs</summary><table>${rows.join("")}</table></details>`;
}

function dcrSection(report: ScoreReport): string {
  const p = report.privacy;
  if (p === null) return "<p>Privacy metrics were not computed.</p>";
  const h = p.dcrBaselineProtection.histogram;
  const chart = pairedBars(
    histogramLabels(h.edges, (x) => fmt(x, 2)),
    h.random,
    h.synthetic,
    { width: 620, height: 220 },
  ).replaceAll(REAL_COLOR, "#888888");
  return `<p class="small">Distance to the closest real row (SDMetrics' DCR, 0 = identical row). Grey: uniform random rows (the baseline); orange: synthetic rows.</p>${chart}`;
}

function usefulnessSection(report: ScoreReport): string {
  const u = report.usefulness;
  if (u === null) {
    return report.usefulnessSkipped !== null
      ? `<p>Usefulness was not computed: ${escapeHtml(report.usefulnessSkipped)}</p>`
      : "<p>Usefulness was not computed (give a target column with <code>--target</code>).</p>";
  }
  const metrics = u.task === "regression" ? ["r2"] : ["accuracy", "f1"];
  const head = row(["Model", ...metrics.flatMap((m) => [`${m} (train real)`, `${m} (train synthetic)`]), "Ratio"], true);
  const rows = u.models.map((m) =>
    row([
      m.model,
      ...metrics.flatMap((k) => [fmt(m.trainedOnReal[k as keyof typeof m.trainedOnReal]), fmt(m.trainedOnSynthetic[k as keyof typeof m.trainedOnSynthetic])]),
      fmt(m.ratio),
    ]),
  );
  const notes = u.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("");
  return `<p>Target <b>${escapeHtml(u.target)}</b> (${u.task}); tested on ${u.rows.test} ${u.testSource === "holdout" ? "holdout" : "held-back real"} rows; trained on ${u.rows.trainReal} real / ${u.rows.trainSynthetic} synthetic rows.</p><table>${head}${rows.join("")}</table><ul class="small">${notes}</ul>`;
}

export function renderHtmlReport(report: ScoreReport): string {
  const s = report.settings;
  const t = report.tables;
  const style = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:left}th{background:#f4f4f4}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:12px}.grid2{display:flex;flex-wrap:wrap;gap:16px}
.card{border:1px solid #e5e5e5;border-radius:6px;padding:8px}.card h4{margin:0}.small{font-size:12px;color:#555;margin:2px 0 6px}
.verdict{font-size:15px;line-height:1.5;background:#f7f7fb;border-left:4px solid #1f5fa8;padding:10px 14px}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>datalab score report</title><style>${style}</style></head>
<body>
<h1>Synthetic data report</h1>
<p class="small">${t.realRows} real rows, ${t.syntheticRows} synthetic rows${t.holdoutRows > 0 ? `, ${t.holdoutRows} holdout rows` : ""}, ${t.columns.length} columns · seed ${s.seed} · ${escapeHtml(s.device)} · generated ${escapeHtml(report.generatedAt)}</p>
<h2>Verdict</h2>
<p class="verdict">${escapeHtml(report.verdict.text)}</p>
<h2>Scores</h2>
${scoreTable(report)}
<h2>Column distributions</h2>
<p class="legend"><span style="background:${REAL_COLOR}"></span>real<span style="background:${SYNTHETIC_COLOR}"></span>synthetic</p>
${distributionSection(report)}
<h2>Column associations</h2>
${matrices(report)}
${pairTable(report)}
<h2>Distance to closest record</h2>
${dcrSection(report)}
<h2>Usefulness</h2>
${usefulnessSection(report)}
<p class="small">${escapeHtml(s.reference)}. Rows scored: ${escapeHtml(s.sampling)}.</p>
</body></html>
`;
}
