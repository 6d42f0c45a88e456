/** Public types of the kernels API (see kernels/README.md for the numerics of each kernel). */

export interface DeviceInfo {
  kind: "cpu" | "cuda";
  name: string;
  memoryBytes: number;
  computeCapability?: string;
}

/** One column's inverse marginal for the copula pass. */
export interface CopulaColumnTable {
  kind: "numeric" | "categorical";
  /** numeric: F^-1(Phi(z_k)) on the equally spaced grid zMin..zMax; categorical: ascending z upper bounds (last = +Infinity). */
  table: Float64Array;
  zMin: number;
  zMax: number;
}

export interface CopulaSampleRequest {
  rows: number;
  /** d×d lower-triangular Cholesky factor of the correlation, row-major. */
  cholesky: Float64Array;
  /** Optional rows×d row-major mean added to L·ε (conditional sampling). */
  mean?: Float64Array;
  columns: CopulaColumnTable[];
  seed: bigint;
  /** Global index of this chunk's first row: row r uses normals (counterOffset + r)·d … + d − 1. */
  counterOffset: bigint;
}

/** The copula request without the marginals: only the correlated normals are produced. */
export type CopulaNormalScoresRequest = Omit<CopulaSampleRequest, "columns"> & { columns?: CopulaColumnTable[]; d?: number };

export interface MixedRows {
  rows: number;
  /** rows × numericCount, row-major, NaN = null (raw values, not scaled). */
  numeric: Float64Array;
  /** rows × categoricalCount, row-major, −1 = null. */
  categorical: Int32Array;
}

export interface NearestOptions {
  numericCount: number;
  categoricalCount: number;
  /** 1/range of each REAL numeric column; Infinity for a constant column. */
  invRange: Float64Array;
  k: 1 | 2;
  excludeSameIndex?: boolean;
}

/** Each rows(A) × k, row-major; missing neighbours (B too small) are distance Infinity, index −1. */
export interface NearestResult {
  distance: Float64Array;
  index: Int32Array;
}

export interface MatchOptions {
  numericCount: number;
  categoricalCount: number;
  relTolerance: number;
}
