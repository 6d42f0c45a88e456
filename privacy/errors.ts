/**
 * Named errors of privacy/. Each message is one line saying what was wrong and what to do.
 */

/** A bad privacy parameter (ε, δ, ρ, σ, sensitivity, order) passed by a caller. */
export class PrivacyParameterError extends Error {
  override readonly name = "PrivacyParameterError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A reservation that would take a holder's dataset past its privacy budget. */
export class BudgetExceededError extends Error {
  override readonly name = "BudgetExceededError";
  readonly holder: string;
  readonly dataset: string;
  readonly epsilonAfter: number;
  readonly epsilonBudget: number;
  constructor(holder: string, dataset: string, epsilonAfter: number, epsilonBudget: number) {
    super(
      `privacy budget of holder "${holder}" on dataset "${dataset}" would reach ε = ${epsilonAfter.toPrecision(4)} ` +
        `(budget ε = ${epsilonBudget}); ask for a smaller ε, release unused reservations, or have the holder raise the budget`,
    );
    this.holder = holder;
    this.dataset = dataset;
    this.epsilonAfter = epsilonAfter;
    this.epsilonBudget = epsilonBudget;
  }
}

/** A ledger operation on an entry that does not exist or is no longer reserved, or on an unknown holder. */
export class LedgerError extends Error {
  override readonly name = "LedgerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
