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

/**
 * A DataView over `recordCount` records of `recordSize` bytes from byte `dataOffset` of `bytes`.
 * @param where Format, file name and header field named by the error, and the part of the file (`'point data'`).
 * @throws PointCloudFormatError at the end of the input when the records run past it (the file is truncated).
 */
export function viewRecords(
  bytes: Uint8Array,
  dataOffset: number,
  recordCount: number,
  recordSize: number,
  where: { format: string; fileName: string | undefined; field: string; part: string },
): DataView {
  const required = dataOffset + recordCount * recordSize;
  if (required > bytes.length) {
    throw new PointCloudFormatError({
      format: where.format,
      fileName: where.fileName,
      byteOffset: bytes.length,
      field: where.field,
      message: `${where.part} truncated: ${recordCount} records × ${recordSize} bytes from byte ${dataOffset} need ${required} bytes, file has ${bytes.length}`,
    });
  }
  return new DataView(bytes.buffer, bytes.byteOffset + dataOffset, recordCount * recordSize);
}
