import { guardAllocations } from '../core/point-cloud-allocation.js';
import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { checkFinitePositions, readFloat32Rows } from './kitti-reader.js';

/**
 * Reads a raw little-endian float32 (N, 6) file of x y z r g b rows, as mmdetection3d writes ScanNet points
 * (`*_xyzrgb.bin`). Positions are metres; colours are 0..255 floats (rounded and stored as uint8), or 0..1 floats
 * when no channel exceeds 1 (scaled by 255).
 *
 * @throws {PointCloudFormatError} when the length is zero or not a multiple of 24 bytes, a position is NaN/Inf, or a
 *   colour is NaN/Inf or outside 0..255.
 */
export async function readXyzrgbBin(bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  return guardAllocations({ format: 'xyzrgb-bin', fileName: options.fileName }, () => decodeXyzrgbBin(bytes, options));
}

function decodeXyzrgbBin(bytes: Uint8Array, options: ReaderOptions): PointCloud {
  const format = 'xyzrgb-bin';
  const values = readFloat32Rows(bytes, 6, format, options.fileName);
  const pointCount = values.length / 6;
  const positions = new Float32Array(pointCount * 3);
  let maximumColor = 0;
  for (let index = 0; index < pointCount; index++) {
    const source = index * 6;
    positions[index * 3] = values[source];
    positions[index * 3 + 1] = values[source + 1];
    positions[index * 3 + 2] = values[source + 2];
    for (let channel = 3; channel < 6; channel++) {
      const value = values[source + channel];
      if (!(value >= 0 && value <= 255.5)) {
        throw new PointCloudFormatError({
          format,
          fileName: options.fileName,
          byteOffset: (source + channel) * 4,
          field: 'rgb'[channel - 3],
          message: `colour ${'rgb'[channel - 3]} = ${value} at point ${index}: expected 0..255`,
        });
      }
      if (value > maximumColor) maximumColor = value;
    }
  }
  checkFinitePositions(positions, 6, format, options.fileName);
  const scale = maximumColor <= 1 ? 255 : 1;
  const colors = new Uint8Array(pointCount * 3);
  for (let index = 0; index < pointCount; index++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = Math.round(values[index * 6 + 3 + channel] * scale);
      colors[index * 3 + channel] = value > 255 ? 255 : value;
    }
  }
  return { pointCount, positions, colors, metadata: { format } };
}
