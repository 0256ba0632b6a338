/**
 * Thrown for any input a reader cannot turn into a complete, valid point cloud.
 * Names the format, where the problem is (byte offset or line) and what was expected.
 */
export class PointCloudFormatError extends Error {
  override readonly name: string = 'PointCloudFormatError';
  /** Format being read, e.g. `'ply'`. */
  readonly format: string;
  /** Byte offset of the problem in the input, when known. */
  readonly byteOffset?: number;
  /** 1-based line of the problem in a text header or body, when known. */
  readonly line?: number;
  /** File name the bytes came from, when known. */
  readonly fileName?: string;
  /** Field, property or header key involved, when known. */
  readonly field?: string;
  /** Index of the point whose value is wrong, when known (writers and label checks). */
  readonly pointIndex?: number;

  constructor(options: {
    format: string;
    message: string;
    byteOffset?: number;
    line?: number;
    fileName?: string;
    field?: string;
    pointIndex?: number;
    cause?: unknown;
  }) {
    const where = [
      options.fileName,
      options.line !== undefined ? `line ${options.line}` : undefined,
      options.byteOffset !== undefined ? `byte ${options.byteOffset}` : undefined,
      options.field !== undefined ? `field '${options.field}'` : undefined,
      options.pointIndex !== undefined ? `point ${options.pointIndex}` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`${options.format.toUpperCase()}${where ? ` (${where})` : ''}: ${options.message}`, { cause: options.cause });
    this.format = options.format;
    this.byteOffset = options.byteOffset;
    this.line = options.line;
    this.fileName = options.fileName;
    this.field = options.field;
    this.pointIndex = options.pointIndex;
  }
}
