/**
 * Error thrown for input the backbone cannot process. Names the offending field and, where it applies,
 * the element offset, and says what was expected.
 */
export class PointTransformerInputError extends Error {
  /** Name of the input field or configuration option at fault (`positions`, `config.encoderDepths`). */
  readonly field: string;
  /** Element offset inside `field`, or -1 when the whole field is at fault. */
  readonly offset: number;

  constructor(field: string, offset: number, expected: string) {
    super(`${field}${offset >= 0 ? ` at offset ${offset}` : ''}: expected ${expected}`);
    this.name = 'PointTransformerInputError';
    this.field = field;
    this.offset = offset;
  }
}
