/** Raised for invalid clicks, scenes or call order; the message says what was expected. */
export class SegmenterInputError extends Error {
  override readonly name = 'SegmenterInputError';
}

/** Raised when a checkpoint cannot be loaded: wrong format version, architecture mismatch, truncated weights. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  /** File or URL the problem was found in. */
  readonly source: string;

  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.source = source;
  }
}
