/** A misuse of the nn engine (shapes that do not fit, a layer the operation does not support). */
export class NnError extends Error {
  override readonly name = "NnError";
}
