import { SamplingInputError } from './sampling-error.js';
import { describeValue } from './input-validation.js';

/**
 * Propagates per-voxel labels (e.g. predictions on a downsampled cloud) back to every original point:
 * `labels[point] = voxelLabels[pointToVoxel[point]]`.
 *
 * @param pointToVoxel - Voxel index of each original point, as returned by `downsampleVoxelGrid`. [pointCount]
 * @param voxelLabels - One label per voxel (or per downsampled point). [voxelCount]
 * @returns One label per original point. [pointCount]
 * @throws SamplingInputError when an entry of `pointToVoxel` is outside [0, voxelLabels.length).
 */
export function transferLabels(pointToVoxel: Int32Array, voxelLabels: Int32Array): Int32Array {
  if (!(pointToVoxel instanceof Int32Array)) {
    throw new SamplingInputError('pointToVoxel', 'an Int32Array of voxel indices', describeValue(pointToVoxel));
  }
  if (!(voxelLabels instanceof Int32Array)) {
    throw new SamplingInputError('voxelLabels', 'an Int32Array of labels', describeValue(voxelLabels));
  }
  const voxelCount = voxelLabels.length;
  const labels = new Int32Array(pointToVoxel.length);
  for (let point = 0; point < pointToVoxel.length; point++) {
    const voxel = pointToVoxel[point];
    if (voxel < 0 || voxel >= voxelCount) {
      throw new SamplingInputError(`pointToVoxel[${point}]`, `a voxel index in [0, ${voxelCount})`, String(voxel));
    }
    labels[point] = voxelLabels[voxel];
  }
  return labels;
}
