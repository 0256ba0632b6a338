/**
 * Copies `byteCount` bytes of each of `count` rows from `source` (rows `sourceStride` bytes apart, the first at
 * `sourceOffset`) to `target` (rows `targetStride` bytes apart, the first at `targetOffset`), bytes in order.
 * Unrolled for the common widths of point-cloud columns (12: xyz float32; 4; 3: rgb; 1); the loops only ever
 * see Uint8Arrays, which keeps them monomorphic. The PLY reader gathers columns out of rows with it, the
 * writer scatters them back.
 */
export function copyStridedBytes(
  source: Uint8Array,
  sourceOffset: number,
  sourceStride: number,
  target: Uint8Array,
  targetOffset: number,
  targetStride: number,
  count: number,
  byteCount: number,
): void {
  let read = sourceOffset;
  let write = targetOffset;
  if (byteCount === 12) {
    for (let index = 0; index < count; index++, read += sourceStride, write += targetStride) {
      target[write] = source[read];
      target[write + 1] = source[read + 1];
      target[write + 2] = source[read + 2];
      target[write + 3] = source[read + 3];
      target[write + 4] = source[read + 4];
      target[write + 5] = source[read + 5];
      target[write + 6] = source[read + 6];
      target[write + 7] = source[read + 7];
      target[write + 8] = source[read + 8];
      target[write + 9] = source[read + 9];
      target[write + 10] = source[read + 10];
      target[write + 11] = source[read + 11];
    }
  } else if (byteCount === 3 || byteCount === 4) {
    const four = byteCount === 4;
    for (let index = 0; index < count; index++, read += sourceStride, write += targetStride) {
      target[write] = source[read];
      target[write + 1] = source[read + 1];
      target[write + 2] = source[read + 2];
      if (four) target[write + 3] = source[read + 3];
    }
  } else if (byteCount === 1) {
    for (let index = 0; index < count; index++, read += sourceStride, write += targetStride) target[write] = source[read];
  } else {
    for (let index = 0; index < count; index++, read += sourceStride, write += targetStride) {
      for (let byte = 0; byte < byteCount; byte++) target[write + byte] = source[read + byte];
    }
  }
}
