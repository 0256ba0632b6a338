/** How a serialized sequence is cut into equal attention patches. */
export interface PatchPadding {
  /** Points per patch (the configured patch size, or the point count when that is smaller). */
  patchSize: number;
  /** Number of patches. */
  patchCount: number;
  /**
   * `patchCount*patchSize` positions into the serialized sequence; the first `count` are the identity,
   * the rest repeat earlier positions (Pointcept's padding rule).
   */
  paddedPositions: Int32Array;
}

/**
 * Pointcept's patch padding (`get_padding_and_inverse`): a sequence longer than `patchSize` is padded to
 * a multiple of it, the missing tail of the last patch repeating the positions exactly one patch
 * earlier; a sequence no longer than `patchSize` forms one patch of its own length.
 * @param count serialized sequence length (voxels at this level), ≥ 1.
 * @param patchSize configured patch size K, ≥ 1.
 */
export function computePatchPadding(count: number, patchSize: number): PatchPadding {
  if (count <= patchSize) {
    return { patchSize: count, patchCount: 1, paddedPositions: Int32Array.from({ length: count }, (_, index) => index) };
  }
  const patchCount = Math.ceil(count / patchSize);
  const paddedCount = patchCount * patchSize;
  const paddedPositions = new Int32Array(paddedCount);
  for (let index = 0; index < paddedCount; index++) paddedPositions[index] = index;
  const remainder = count % patchSize;
  if (remainder !== 0) {
    const start = paddedCount - patchSize + remainder;
    for (let index = start; index < paddedCount; index++) paddedPositions[index] = paddedPositions[index - patchSize];
  }
  return { patchSize, patchCount, paddedPositions };
}
