/**
 * SDMetrics' Quality report (Column Shapes + Column Pair Trends, overall = their mean), with the
 * all-pairs trend score beside it.
 */
import type { ColumnPair } from "../aligned-table.js";
import { type ColumnPairTrendsResult, columnPairTrends, meanOfDefined } from "./column-pair-trends.js";
import { ksComplement, tvComplement } from "./column-shapes.js";

export interface ColumnShape {
  column: string;
  metric: "KSComplement" | "TVComplement";
  score: number;
}

export interface QualityResult {
  /** SDMetrics-identical overall score: mean of the two property scores. */
  score: number;
  columnShapes: number;
  columnPairTrends: number;
  /** Pair trends over every pair (no real-trend threshold) and the matching overall score. */
  allPairsTrends: number;
  allPairsScore: number;
  shapes: ColumnShape[];
  pairs: ColumnPairTrendsResult["pairs"];
}

export function columnShapes(columns: ColumnPair[]): ColumnShape[] {
  const shapes: ColumnShape[] = [];
  for (const column of columns) {
    if (column.kind === "continuous") {
      shapes.push({ column: column.name, metric: "KSComplement", score: ksComplement(column.real, column.synthetic) });
    } else if (column.kind === "discrete") {
      shapes.push({ column: column.name, metric: "TVComplement", score: tvComplement(column.real, column.synthetic, column.labels.length) });
    }
  }
  return shapes;
}

export function qualityReport(columns: ColumnPair[], onProgress?: (fraction: number) => void): QualityResult {
  const shapes = columnShapes(columns);
  onProgress?.(0.2);
  const trends = columnPairTrends(columns, (done, total) => onProgress?.(0.2 + (0.8 * done) / total));
  const shapeScore = meanOfDefined(shapes.map((s) => s.score));
  return {
    score: meanOfDefined([shapeScore, trends.score]),
    columnShapes: shapeScore,
    columnPairTrends: trends.score,
    allPairsTrends: trends.allPairsScore,
    allPairsScore: meanOfDefined([shapeScore, trends.allPairsScore]),
    shapes,
    pairs: trends.pairs,
  };
}
