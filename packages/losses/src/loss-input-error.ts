/**
 * Raised when a loss is given inputs of the wrong shape, dtype or range. The message names the
 * function, the argument (field) and what was expected.
 */
export class LossInputError extends Error {
  override readonly name = 'LossInputError';
  /** Loss function that rejected the input, e.g. `diceLoss`. */
  readonly functionName: string;
  /** Offending argument or field, e.g. `targets.shape`. */
  readonly field: string;

  constructor(functionName: string, field: string, expected: string, actual: string) {
    super(`${functionName}: ${field} must be ${expected}, got ${actual}`);
    this.functionName = functionName;
    this.field = field;
  }
}
