/** Scalar vertex columns of a PLY body (binary or ASCII), indexed like the vertex properties (`undefined` for list properties), before they become a PointCloud. */
export interface DecodedVertices {
  /** Scalar columns (decoded lazily for binary bodies, so fast paths can skip them). */
  columns: (ArrayLike<number> | undefined)[];
  /**
   * Binary bodies in host byte order only: copies `byteCount` consecutive bytes of every row, starting at the
   * property's offset, into `target` (rows back to back). Lets x y z floats or r g b uchars land in place in one pass.
   */
  copyRowBytes?: (propertyIndex: number, byteCount: number, target: Uint8Array) => void;
  /** Whether the columns are already in the property's native typed array (binary) or Float64Array (ascii). */
  native: boolean;
  /** Where row `rowIndex`, property `propertyIndex` sits, for error messages. */
  locate: (rowIndex: number, propertyIndex: number) => { byteOffset?: number; line?: number };
}

