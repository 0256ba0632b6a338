/**
 * Thrown when an argument given to a `@pointclick/sampling` function is malformed: a length that is not a
 * multiple of 3, a non-finite coordinate, a negative count, an index out of range, and so on.
 *
 * `argument` names the offending argument (or `argument[offset]` / `options.field`), `expected` says what
 * was expected, and `received` describes what was actually passed.
 */
export class SamplingInputError extends Error {
  /** Name of the offending argument, option field or element, e.g. `positions[12]` or `options.seed`. */
  readonly argument: string;
  /** What the argument was expected to be. */
  readonly expected: string;
  /** A short description of the value that was received. */
  readonly received: string;

  constructor(argument: string, expected: string, received: string) {
    super(`Invalid ${argument}: expected ${expected}, received ${received}`);
    this.name = 'SamplingInputError';
    this.argument = argument;
    this.expected = expected;
    this.received = received;
  }
}
