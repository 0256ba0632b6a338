/**
 * Raised when the decoder is built with an invalid configuration or applied to inputs that do not
 * fit it. The message names the field and what was expected.
 */
export class DecoderInputError extends Error {
  override readonly name = 'DecoderInputError';
  /** Offending field, e.g. `levels[2].features.shape[1]` or `config.width`. */
  readonly field: string;

  constructor(field: string, expected: string, actual: string) {
    super(`click decoder: ${field} must be ${expected}, got ${actual}`);
    this.field = field;
  }
}
