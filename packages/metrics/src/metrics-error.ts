/**
 * Thrown when an argument or a file given to `@pointclick/metrics` is malformed: arrays of different
 * lengths, a log line with the wrong number of fields, a non-finite number, an unknown object id, …
 *
 * `source` names the argument or file, `location` says where in it (an element index, a line number or
 * an option field) and `expected` says what was expected there.
 */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
  /** Argument name or file name the problem is in, e.g. `predicted` or `our_multi_scannet.csv`. */
  readonly source: string;
  /** Where inside the source: `line 12`, `[4031]`, `options.seed`; empty when the whole source is wrong. */
  readonly location: string;
  /** What was expected there. */
  readonly expected: string;

  constructor(source: string, location: string, expected: string, received: string) {
    super(`${source}${location ? ` (${location})` : ''}: expected ${expected}, received ${received}`);
    this.source = source;
    this.location = location;
    this.expected = expected;
    this.received = received;
  }

  /** Short description of what was actually found. */
  readonly received: string;
}

/** Throws {@link MetricsInputError} unless both label arrays have the same length. */
export function assertSameLength(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  predictedName = 'predicted',
  truthName = 'truth',
): void {
  if (predicted.length !== truth.length) {
    throw new MetricsInputError(
      predictedName,
      'length',
      `${truth.length} entries (the length of ${truthName})`,
      `${predicted.length}`,
    );
  }
}
