/** Thrown when an op receives a tensor of the wrong shape, dtype or value range. */
export class KernelArgumentError extends Error {
  override readonly name = 'KernelArgumentError';
  /** The op that rejected its input, e.g. `segmentMax`. */
  readonly op: string;
  /** The argument (and where useful the offset inside it) that was wrong, e.g. `segmentIds[12]`. */
  readonly field: string;
  /** What was expected instead. */
  readonly expected: string;

  constructor(op: string, field: string, expected: string, received: string) {
    super(`${op}: ${field} must be ${expected}, got ${received}`);
    this.op = op;
    this.field = field;
    this.expected = expected;
  }
}
