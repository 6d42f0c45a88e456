/**
 * privacy/: differential privacy that holds. Exact discrete noise from a cryptographic generator,
 * the exponential mechanism, zCDP and RDP accountants with (ε, δ) conversions, and a budget ledger.
 * Formulas and their sources: privacy/README.md.
 */
export { BudgetExceededError, LedgerError, PrivacyParameterError } from "./errors.js";
export { createCryptoSource, createSeededSource, type PrivacySource, type SeededSourceOptions } from "./random-source.js";
export {
  exactRationalOfFloat,
  RATIONAL_SCALE_BITS,
  type Rational,
  rationalToNumber,
  roundUpRational,
  sigmaSquaredFromSigma,
} from "./rational.js";
export {
  bernoulliExpNeg,
  bernoulliExpNegBig,
  DiscreteGaussianSampler,
  DiscreteLaplaceSampler,
  sampleDiscreteLaplace,
} from "./discrete-samplers.js";
export {
  discreteGaussianNoise,
  discreteLaplaceNoise,
  gridL1Sensitivity,
  gridL2Sensitivity,
  gridLaplaceScale,
  gridSigmaSquared,
  laplaceEpsilon,
  laplaceScaleForEpsilon,
  type NoiseOptions,
  type NoiseScale,
} from "./noise.js";
export { exponentialMechanism, exponentialMechanismProbabilities } from "./exponential-mechanism.js";
export {
  deltaFromRho,
  epsilonFromRho,
  epsilonFromRhoSimple,
  exponentialMechanismEpsilonForRho,
  exponentialMechanismRho,
  gaussianRho,
  gaussianSigmaForRho,
  pureDpRho,
  rhoFromEpsilonDelta,
  type ZcdpCharge,
  ZcdpAccountant,
} from "./zcdp.js";
export {
  DEFAULT_RDP_ORDERS,
  deltaFromRdp,
  dpSgdEpsilon,
  dpSgdNoiseMultiplier,
  epsilonFromRdp,
  RdpAccountant,
  subsampledGaussianRdp,
} from "./rdp.js";
export { binomialZScore, type ChiSquareResult, chiSquareTest } from "./goodness-of-fit.js";
export {
  type BudgetStatus,
  BudgetLedger,
  type DatasetBudget,
  type EntryState,
  type LedgerEntry,
  type LedgerOptions,
  openBudgetLedger,
  type PrivacyCost,
} from "./budget-ledger.js";
