import { guardAllocations } from '../core/point-cloud-allocation.js';
import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { viewLittleEndianFloat32 } from '../core/float32-view.js';

/**
 * Reads a KITTI / SemanticKITTI velodyne scan (`.bin`): little-endian float32 rows of x y z (metres, sensor frame)
 * and intensity (remission, 0..1). Positions go to `positions`, the fourth column to `intensity`.
 *
 * @throws {PointCloudFormatError} when the length is zero or not a multiple of 16 bytes, or a position is NaN/Inf.
 */
export async function readKittiBin(bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  return guardAllocations({ format: 'kitti-bin', fileName: options.fileName }, () => decodeKittiBin(bytes, options));
}

function decodeKittiBin(bytes: Uint8Array, options: ReaderOptions): PointCloud {
  const values = readFloat32Rows(bytes, 4, 'kitti-bin', options.fileName);
  const pointCount = values.length / 4;
  const positions = new Float32Array(pointCount * 3);
  const intensity = new Float32Array(pointCount);
  for (let index = 0; index < pointCount; index++) {
    const source = index * 4;
    positions[index * 3] = values[source];
    positions[index * 3 + 1] = values[source + 1];
    positions[index * 3 + 2] = values[source + 2];
    intensity[index] = values[source + 3];
  }
  checkFinitePositions(positions, 4, 'kitti-bin', options.fileName);
  return { pointCount, positions, intensity, metadata: { format: 'kitti-bin' } };
}

/**
 * Float32 rows of `columnCount` values, checking the byte length.
 * @internal
 */
export function readFloat32Rows(bytes: Uint8Array, columnCount: number, format: string, fileName: string | undefined): Float32Array {
  const rowByteSize = columnCount * 4;
  if (bytes.length === 0) {
    throw new PointCloudFormatError({ format, fileName, byteOffset: 0, message: `empty input: expected float32 rows of ${columnCount} values` });
  }
  if (bytes.length % rowByteSize !== 0) {
    throw new PointCloudFormatError({
      format,
      fileName,
      byteOffset: bytes.length - (bytes.length % rowByteSize),
      message: `length ${bytes.length} bytes is not a multiple of ${rowByteSize} (float32 rows of ${columnCount} values): truncated or not this format`,
    });
  }
  return viewLittleEndianFloat32(bytes);
}

/**
 * Throws on the first NaN/Inf position, naming the point and its byte offset in a file of `columnCount` float32 rows.
 * @internal
 */
export function checkFinitePositions(positions: Float32Array, columnCount: number, format: string, fileName: string | undefined): void {
  for (let index = 0; index < positions.length; index++) {
    const value = positions[index];
    if (value - value !== 0) {
      const pointIndex = Math.floor(index / 3);
      const axis = index % 3;
      throw new PointCloudFormatError({
        format,
        fileName,
        byteOffset: pointIndex * columnCount * 4 + axis * 4,
        field: 'xyz'[axis],
        message: `non-finite position ${'xyz'[axis]} = ${value} at point ${pointIndex}: expected a finite float32`,
      });
    }
  }
}
